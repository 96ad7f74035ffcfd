"""Exactly one engine writer per database.

The engine host holds a lock for its whole life: a PostgreSQL session advisory lock taken in the
writer's own session (the connection its thread writes every batch with), or an exclusive
``flock`` on a file next to the SQLite database (a process-wide lock for an in-memory test
database). A command that may run without a host (starting balances, account reset from the
command line or a test) takes the same lock for the duration of its transaction; when it
cannot, a host is running and must do the work.

Fencing: because the lock and the writes share one session, a write is only ever made while the
lock is held. When the session dies (terminated, the server restarted, the engine cut off or
paused for long) the lock goes with it and so does any write in flight; another engine may then
take the lock, and this one must take it again in a new session before it writes
(``retake``), which fails while the other holds it. On PostgreSQL the server itself ends a
session that stays silent for a lease (``PAPEREX_LEAD_SECONDS``: ``idle_session_timeout``, and
``idle_in_transaction_session_timeout`` for a pause inside a batch), so that a standby engine can
take over from a paused one (``paperex.apps.core.leadership``).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.db import DatabaseError, connection

from paperex.apps.core.leadership import LOCK_KEYS, lease_seconds, process_name

ADVISORY_LOCK_KEY = LOCK_KEYS["engine"]
_LEASE_SQL = (
    "SELECT set_config('idle_session_timeout', %(ms)s, false),"
    " set_config('idle_in_transaction_session_timeout', %(ms)s, false),"
    " set_config('application_name', %(name)s, false)"
)
_HELD_SQL = (
    "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted"
    " AND pid = pg_backend_pid() AND classid = %s AND objid = %s AND objsubid = 1)"
)
_memory_lock = threading.Lock()


class EngineLockedError(RuntimeError):
    """Another engine host holds the lock."""


def _key_parts() -> tuple[int, int]:
    """The lock's key as ``pg_locks`` shows a bigint advisory lock: high and low 32 bits."""
    return ADVISORY_LOCK_KEY >> 32, ADVISORY_LOCK_KEY & 0xFFFFFFFF


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


def _lock_path() -> Path | None:
    name = str(connection.settings_dict["NAME"])
    if connection.vendor != "sqlite" or "mode=memory" in name or name == ":memory:":
        return None
    return Path(name + ".engine-lock")


class EngineLock:
    """The lock an engine host holds while it runs, from the writer thread (see the module)."""

    def __init__(self) -> None:
        self._session: Any = None
        """The PostgreSQL session (driver connection) that holds the lock."""
        self._file: int | None = None
        self._memory = False

    def acquire(self, *, timeout: float) -> None:
        """Take the lock, retrying until ``timeout`` seconds; raises EngineLockedError."""
        deadline = time.monotonic() + timeout
        while not self._try():
            if time.monotonic() >= deadline:
                raise EngineLockedError("another engine is running on this database")
            time.sleep(0.05)

    def in_session(self) -> bool:
        """Whether the writer's connection is still the session that took the lock (no round
        trip): a batch is written only then."""
        return self._session is None or connection.connection is self._session

    def held(self) -> bool:
        """Whether the lock is still this engine's: False once its session is gone
        (terminated, or the server restarted), whatever took the lock since."""
        if self._session is None:
            return self._file is not None or self._memory
        if not self.in_session():
            return False
        try:
            with connection.cursor() as cursor:
                cursor.execute(_HELD_SQL, _key_parts())
                return bool(cursor.fetchone()[0])
        except DatabaseError:
            return False

    def retake(self) -> None:
        """Take the lock again, in a new session, if it was lost (see ``held``), without
        waiting; raises EngineLockedError when another engine holds it now."""
        if self.held():
            return
        self.release()
        with contextlib.suppress(DatabaseError):
            connection.close()  # the lost session: its lock and any transaction went with it
        if not self._try():
            raise EngineLockedError("another engine took over this database")

    def release(self) -> None:
        """Give the lock back (the session stays the writer's to close, a pooled one without
        the lease's timeouts)."""
        if self._session is not None:
            if self.in_session():
                with contextlib.suppress(DatabaseError), connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [ADVISORY_LOCK_KEY])
                    cursor.execute("RESET idle_session_timeout")
                    cursor.execute("RESET idle_in_transaction_session_timeout")
            self._session = None
        if self._file is not None:
            os.close(self._file)
            self._file = None
        if self._memory:
            _memory_lock.release()
            self._memory = False

    def _try(self) -> bool:
        if _is_postgres():
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_lock(%s)", [ADVISORY_LOCK_KEY])
                if not cursor.fetchone()[0]:
                    return False
                lease_ms = str(int(lease_seconds() * 1000))
                cursor.execute(_LEASE_SQL, {"ms": lease_ms, "name": process_name("engine")})
            self._session = connection.connection
            return True
        path = _lock_path()
        if path is None:
            self._memory = _memory_lock.acquire(blocking=False)
            return self._memory
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(descriptor)
            return False
        self._file = descriptor
        return True


def engine_lock_free() -> bool:
    """Whether no engine holds the lock now: a standby's look before it starts a host, whose
    own ``acquire`` decides (another standby may be quicker)."""
    lock = EngineLock()
    try:
        if not lock._try():
            return False
        lock.release()
        return True
    finally:
        with contextlib.suppress(DatabaseError):
            connection.close()


@contextlib.contextmanager
def engine_lock_for_transaction() -> Iterator[bool]:
    """Inside an atomic block: True when no engine host runs and the caller may be the writer.

    On PostgreSQL the lock lasts until the transaction ends; on SQLite the caller's write
    transaction keeps a host that starts meanwhile from reading until it commits.
    """
    if _is_postgres():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [ADVISORY_LOCK_KEY])
            yield bool(cursor.fetchone()[0])
        return
    lock = EngineLock()
    acquired = lock._try()
    try:
        yield acquired
    finally:
        if acquired:
            lock.release()
