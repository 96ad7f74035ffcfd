"""Exactly one engine writer per database.

The engine host holds a lock for its whole life: a PostgreSQL session advisory lock on a
connection of its own, or an exclusive ``flock`` on a file next to the SQLite database (a
process-wide lock for an in-memory test database). A command that may run without a host
(starting balances, account reset from the command line or a test) takes the same lock for the
duration of its transaction; when it cannot, a host is running and must do the work.
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

from django.db import DatabaseError, connection, connections

ADVISORY_LOCK_KEY = 0x50415045524558  # "PAPEREX"
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
    """The lock an engine host holds while it runs."""

    def __init__(self) -> None:
        self._connection: Any = None
        self._file: int | None = None
        self._memory = False

    def acquire(self, *, timeout: float) -> None:
        """Take the lock, retrying until ``timeout`` seconds; raises EngineLockedError."""
        deadline = time.monotonic() + timeout
        while not self._try():
            if time.monotonic() >= deadline:
                raise EngineLockedError("another engine is running on this database")
            time.sleep(0.05)

    def held(self) -> bool:
        """Whether the lock is still this engine's: False once its PostgreSQL connection is
        gone (terminated, or the server restarted), whatever took the lock since."""
        if self._connection is None:
            return self._file is not None or self._memory
        try:
            with self._connection.cursor() as cursor:
                cursor.execute(_HELD_SQL, _key_parts())
                return bool(cursor.fetchone()[0])
        except DatabaseError:
            return False

    def retake(self) -> None:
        """Take the lock again if it was lost (see ``held``), without waiting; raises
        EngineLockedError when another engine holds it now."""
        if self.held():
            return
        self.release()
        if not self._try():
            raise EngineLockedError("another engine took over this database")

    def release(self) -> None:
        """Give the lock back (closing its connection or file)."""
        if self._connection is not None:
            # Unlock first: closing a pooled connection returns it to the pool, session alive.
            with contextlib.suppress(DatabaseError):
                with self._connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [ADVISORY_LOCK_KEY])
                self._connection.close()
            self._connection = None
        if self._file is not None:
            os.close(self._file)
            self._file = None
        if self._memory:
            _memory_lock.release()
            self._memory = False

    def _try(self) -> bool:
        if _is_postgres():
            if self._connection is None:
                self._connection = connections.create_connection("default")
            with self._connection.cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_lock(%s)", [ADVISORY_LOCK_KEY])
                return bool(cursor.fetchone()[0])
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
