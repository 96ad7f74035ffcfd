"""Blocking jobs that a server process runs at a fixed interval on a worker thread."""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Callable

from django.db import InterfaceError, OperationalError, close_old_connections

from paperex.apps.core.metrics import jobs
from paperex.support.async_tasks import cancel_and_wait
from paperex.support.supervision import Outage

logger = logging.getLogger(__name__)


class PeriodicJob:
    """Runs ``function`` on a worker thread every ``seconds`` between ``start`` and ``stop``.

    A run that returns an awaitable (say, publishing what it stored) has it awaited on the event
    loop. The first run comes one interval after the start. A failed run is logged (a database
    outage once, with its end) and the next one comes on schedule. Database connections are
    closed around each run, as around a request.
    """

    def __init__(self, name: str, function: Callable[[], object], *, seconds: float) -> None:
        self.name = name
        self.function = function
        self.seconds = seconds
        self._task: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        return self._task is not None

    def start(self) -> None:
        """Schedule the runs on the running event loop."""
        self._task = asyncio.create_task(self._run_forever(), name=self.name)

    async def stop(self) -> None:
        """Stop scheduling runs (a run in progress finishes on its thread)."""
        await cancel_and_wait(self._task)
        self._task = None

    async def _run_forever(self) -> None:
        outage = Outage(f"periodic job {self.name}", log=logger)
        while True:
            await asyncio.sleep(self.seconds)
            try:
                outcome = await asyncio.to_thread(self._run_once)
                if inspect.isawaitable(outcome):
                    await outcome
            except (OperationalError, InterfaceError) as error:
                jobs.labels(self.name, "failed").inc()
                outage.failed(error)
            except Exception:
                jobs.labels(self.name, "failed").inc()
                logger.exception("periodic job %s failed", self.name)
            else:
                jobs.labels(self.name, "ok").inc()
                outage.worked()

    def _run_once(self) -> object:
        close_old_connections()
        try:
            return self.function()
        finally:
            close_old_connections()
