"""The singleton roles' leads: of the processes of one role (engine, feed, bots, beat), one leads
and the others stand by, ready to take over.

The lead is a PostgreSQL session advisory lock, one key per role. PostgreSQL rather than a Redis
lease: the topology needs it anyway; the engine already fences its writes with its lock, held in
the session it writes with (``trading.host.writer_lock``); the server frees a lock the moment its
process dies (the socket closes); and a lock outlives a Redis restart, which Redis-based
failover would turn into a change of leader.

A leader that stops talking (paused with SIGSTOP, stuck, cut off) loses the lock too: its session
runs with ``idle_session_timeout`` set to the lease (``PAPEREX_LEAD_SECONDS``), so the server ends
it that long after the leader's last statement, and a leader sends one every quarter lease.

Fencing (``RoleLease.valid``): a leader acts only while the last statement the server answered
was sent less than the lease minus a margin ago. The server cannot end the session before a lease
has passed since that statement, so a leader that finds itself valid still holds the lock, and a
leader woken from a pause finds its clock past the lease and stops before it acts, however far
its heartbeat thread has got. The engine needs no such check: it writes in the lock's session.

Without PostgreSQL (the embedded SQLite default) there is one process, which always leads.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, Protocol

from django.conf import settings
from django.db import DatabaseError, connection
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

logger = logging.getLogger(__name__)

LOCK_KEYS = {
    "engine": 0x50415045524558,  # "PAPEREX"
    "feed": 0x50415045524559,
    "bots": 0x5041504552455A,
    "beat": 0x5041504552455B,
}
"""Each role's advisory lock key (a bigint: ``pg_locks`` shows its high and low 32 bits)."""
TRY_SECONDS = 0.25
"""How often a standby tries to take the lead."""
MARGIN = 0.2
"""The part of the lease a leader gives up early (``RoleLease.valid``)."""

_LEADERS_SQL = (
    "SELECT l.objid, a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
    " WHERE l.locktype = 'advisory' AND l.granted AND l.classid = %s AND l.objsubid = 1"
    " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
)


def process_name(role: str) -> str:
    """How a leader names itself to the server (``application_name``), for ``leaders``."""
    return f"paperex {role} {socket.gethostname()}:{os.getpid()}"


def lease_seconds() -> float:
    return float(settings.PAPEREX_LEAD_SECONDS)


def leaders() -> dict[str, str | None]:
    """Which process leads each role (``process_name``), None for a role nobody leads; empty
    without PostgreSQL, where one process runs every role."""
    if connection.vendor != "postgresql":
        return {}
    by_low_bits = {key & 0xFFFFFFFF: role for role, key in LOCK_KEYS.items()}
    found: dict[str, str | None] = dict.fromkeys(LOCK_KEYS)
    with connection.cursor() as cursor:
        cursor.execute(_LEADERS_SQL, [LOCK_KEYS["engine"] >> 32])
        for low_bits, name in cursor.fetchall():
            role = by_low_bits.get(int(low_bits))
            if role is not None:
                found[role] = name
    return found


class LeadersCollector(Collector):
    """``paperex_role_leader{role, process}`` in ``/metrics``: 1 for the process leading each
    singleton role, read from the database at scrape time."""

    def describe(self) -> Iterator[Metric]:
        """The metric's name without a query: the registry asks at registration, before the
        database may be used."""
        yield self._family()

    def collect(self) -> Iterator[Metric]:
        family = self._family()
        try:
            found = leaders()
        except DatabaseError:  # the database is away: /api/health/ says so
            found = {}
        for role, process in found.items():
            if process is not None:
                family.add_metric([role, process], 1)
        yield family

    @staticmethod
    def _family() -> GaugeMetricFamily:
        return GaugeMetricFamily(
            "paperex_role_leader",
            "The process leading each singleton role",
            labels=["role", "process"],
        )


class Lead(Protocol):
    """A process's claim on its role's lead, as ``lead_while_running`` uses it."""

    role: str

    async def take(self) -> bool:
        """Lead if nobody does; True while this process leads."""

    def valid(self) -> bool:
        """Whether this process leads now."""

    def release(self) -> None:
        """Give the lead up."""


class RoleLease:
    """This process's claim on a role's lead (see the module docstring)."""

    def __init__(self, role: str) -> None:
        self.role = role
        self.seconds = lease_seconds()
        self._connection: Any = None
        """The session holding the lock while this process leads."""
        self._standby: Any = None
        """The session a standby tries the lock in."""
        self._valid_until = 0.0
        self._heartbeat: threading.Thread | None = None
        self._postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")

    async def take(self) -> bool:
        return await asyncio.to_thread(self.try_take)

    def try_take(self) -> bool:
        """Lead if nobody does (blocking, one round trip); True while this process leads."""
        if not self._postgres:
            self._valid_until = float("inf")
            return True
        if self.valid():
            return True
        if self._connection is not None:  # the lead was lost: its session goes with it
            self.release()
        import psycopg  # only where the lead is a PostgreSQL lock

        sent = time.monotonic()
        session, self._standby = self._standby, None
        if session is not None:
            try:
                taken = self._try_lock(session)
            except psycopg.Error:  # the standby's session ended (silent past a lease, a restart)
                session.close()
                session = None
        if session is None:
            session = psycopg.connect(**self._connection_parameters(), autocommit=True)
            try:
                taken = self._try_lock(session)
            except BaseException:
                session.close()
                raise
        if not taken:
            self._standby = session  # tried again in the same session (a try every quarter s)
            return False
        self._connection = session
        self._valid_until = sent + self.seconds - MARGIN
        self._heartbeat = threading.Thread(
            target=self._beat, args=(session,), name=f"{self.role}-lead", daemon=True
        )
        self._heartbeat.start()
        return True

    def _try_lock(self, session: Any) -> bool:
        row = session.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_KEYS[self.role]])
        return bool(row.fetchone()[0])

    def valid(self) -> bool:
        """Whether this process leads now (no round trip): check it before every side effect."""
        return time.monotonic() < self._valid_until

    def release(self) -> None:
        """Give the lead up (closing the session frees the lock), or stop standing by."""
        self._valid_until = 0.0
        sessions = (self._connection, self._standby)
        self._connection = self._standby = None
        for session in sessions:
            if session is not None:
                with contextlib.suppress(Exception):
                    session.close()

    def _beat(self, session: Any) -> None:
        """Keep the session talking; the lease ends with the first statement that fails."""
        while self._connection is session:
            time.sleep(self.seconds / 4)
            sent = time.monotonic()
            try:
                session.execute("SELECT 1")
            except Exception as error:
                if self._connection is session:
                    logger.warning("%s: the lead's session ended: %s", self.role, error)
                    self.release()
                return
            if self._connection is session:
                self._valid_until = sent + self.seconds - MARGIN

    def _connection_parameters(self) -> dict[str, Any]:
        database = settings.DATABASES["default"]
        timeout_ms = int(self.seconds * 1000)
        return {
            "dbname": database["NAME"],
            "user": database.get("USER") or None,
            "password": database.get("PASSWORD") or None,
            "host": database.get("HOST") or None,
            "port": database.get("PORT") or None,
            "application_name": process_name(self.role),
            "connect_timeout": max(1, int(self.seconds)),
            "options": f"-c idle_session_timeout={timeout_ms}",
        }


async def lead_while_running(
    lease: Lead,
    stop: asyncio.Event,
    *,
    begin: Callable[[], Awaitable[None]],
    end: Callable[[], Awaitable[None]],
) -> None:
    """Until ``stop``: stand by until this process leads, ``begin`` the role's work, and when
    the lead is lost ``end`` it and stand by again."""
    announced = False
    try:
        while not stop.is_set():
            try:
                leading = await lease.take()
            except Exception as error:  # the database is away: keep trying
                logger.warning("%s: cannot reach the database for the lead: %s", lease.role, error)
                leading = False
            if not leading:
                if not announced:
                    print(f"{lease.role} standby: waiting for the lead", flush=True)
                    announced = True
                await wait_or_stop(stop, TRY_SECONDS)
                continue
            announced = False
            print(f"{lease.role} leading", flush=True)
            try:
                await begin()
                while not stop.is_set() and (lease.valid() or await _lead_again(lease)):
                    await wait_or_stop(stop, TRY_SECONDS)
            finally:
                await end()
            if not stop.is_set():
                logger.warning("%s: lost the lead; standing by", lease.role)
                print(f"{lease.role} lost the lead", flush=True)
    finally:
        lease.release()


async def _lead_again(lease: Lead) -> bool:
    """Take the lead again at once if nobody took it meanwhile: a lease whose session went with
    a database blip (terminated, restarted) goes on without stopping the role's work."""
    try:
        return await lease.take()
    except Exception:  # the database is still away
        return False


async def wait_or_stop(stop: asyncio.Event, seconds: float) -> None:
    """Sleep ``seconds``, less when ``stop`` is set."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
