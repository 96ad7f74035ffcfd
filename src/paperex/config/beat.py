"""Celery beat with a standby: ``LeadScheduler`` fires the schedule only in the beat process that
leads the role (``paperex.apps.core.leadership``); another one stands by and takes over.

Each entry's last run is kept in Redis, beside the broker, rather than in a file of the
process's own, so that the process taking over continues the schedule where the last leader
left it: a job the old leader sent is not sent again, and one that fell due while nobody led is
sent at once.
"""

from __future__ import annotations

import contextlib
import logging
from datetime import datetime
from typing import Any, cast

import redis
from celery.beat import ScheduleEntry, Scheduler
from django.conf import settings

from paperex.apps.core.leadership import TRY_SECONDS, RoleLease

logger = logging.getLogger(__name__)
LAST_RUNS_KEY = "paperex:beat:last-run"


class LeadScheduler(Scheduler):
    """Beat's scheduler while this process leads the beat role (see the module docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._lease = RoleLease("beat")
        self._leading = False
        self._last_runs = redis.Redis.from_url(settings.PAPEREX_REDIS_URL or "redis://")
        super().__init__(*args, **kwargs)

    def tick(self, *args: Any, **kwargs: Any) -> float:
        """One step of the schedule while leading; otherwise an attempt to lead."""
        if not self._lease.valid():
            if self._leading:
                logger.warning("beat: lost the lead; standing by")
                self._leading = False
            if not self._take_lead():
                return TRY_SECONDS
        return min(float(super().tick(*args, **kwargs)), TRY_SECONDS)

    def reserve(self, entry: ScheduleEntry) -> Any:
        """The entry's next run, with this run kept for a successor."""
        new_entry = cast(ScheduleEntry, super().reserve(entry))  # celery's stubs say event_t
        last_run = new_entry.last_run_at
        assert last_run is not None, "next() of an entry sets its last run"
        try:
            self._last_runs.hset(LAST_RUNS_KEY, entry.name, last_run.isoformat())
        except redis.RedisError as error:
            logger.warning("beat: could not keep the last run of %s: %s", entry.name, error)
        return new_entry

    def apply_async(self, entry: ScheduleEntry, *args: Any, **kwargs: Any) -> Any:
        """Send the entry's task, unless a standby took the lead meanwhile (fencing)."""
        if not self._lease.valid():
            return None
        return super().apply_async(entry, *args, **kwargs)

    def _take_lead(self) -> bool:
        try:
            taken = self._lease.try_take()
        except Exception as error:  # the database is away: keep trying
            logger.warning("beat: cannot reach the database for the lead: %s", error)
            return False
        if taken:
            self._resume_last_runs()
            self._leading = True
            print("beat leading", flush=True)
        return taken

    def _resume_last_runs(self) -> None:
        stored: dict[bytes, bytes] = {}
        with contextlib.suppress(redis.RedisError):
            stored = self._last_runs.hgetall(LAST_RUNS_KEY)  # type: ignore[assignment]
        for name, entry in self.schedule.items():
            last_run = stored.get(name.encode())
            if last_run is not None:
                entry.last_run_at = datetime.fromisoformat(last_run.decode())
        self._heap = None  # rebuilt from the entries at the next tick
