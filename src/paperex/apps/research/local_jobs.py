"""Background jobs run in this process when there is no Celery worker (no Redis configured):
on a few daemon threads, so the request that queues a backtest never waits for it.

Threads rather than the market-data runtime's event loop (``runtime.submit``, as replays use):
a backtest is CPU work that would stall the loop serving every socket, and that runtime exists
only under ``paperex serve``, while the shell, management commands and tests queue backtests
too. Daemon threads, because a stopping server must not wait for a long backtest; a run cut off
that way is found by the next server (``tasks.backtest_runs_recover``): it knows which runs its
own threads hold.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Hashable

from django.db import connections

logger = logging.getLogger(__name__)

WORKERS = 2
"""At most this many jobs at once: the cores are the server's too."""


class LocalJobs:
    """A queue of jobs and up to ``workers`` daemon threads, started when first needed."""

    def __init__(self, workers: int = WORKERS) -> None:
        self._jobs: queue.SimpleQueue[tuple[Hashable, Callable[[], None]]] = queue.SimpleQueue()
        self._workers = workers
        self._threads: list[threading.Thread] = []
        self._held: set[Hashable] = set()
        self._lock = threading.Lock()

    def holds(self, key: Hashable) -> bool:
        """True while the job submitted under ``key`` is queued or running here."""
        with self._lock:
            return key in self._held

    def submit(self, key: Hashable, job: Callable[[], None]) -> None:
        """Run ``job`` on a worker thread, after those queued before it; ``key`` names it to
        ``holds`` until it has run."""
        with self._lock:
            self._held.add(key)
        self._jobs.put((key, job))
        with self._lock:
            self._threads = [thread for thread in self._threads if thread.is_alive()]
            if len(self._threads) < self._workers:
                thread = threading.Thread(
                    target=self._work, name=f"local-job-{len(self._threads) + 1}", daemon=True
                )
                self._threads.append(thread)
                thread.start()

    def _work(self) -> None:
        while True:
            key, job = self._jobs.get()
            try:
                job()
            except Exception:  # a job's failure is logged; the worker takes the next one
                logger.exception("background job failed")
            finally:
                connections.close_all()  # this thread's own database connections
                with self._lock:
                    self._held.discard(key)


local_jobs = LocalJobs()
