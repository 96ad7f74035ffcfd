"""Background jobs of research: a backtest on a Celery worker when Redis is configured, else on
a thread of this process (``local_jobs``; Celery's in-process mode would run it in the request)."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from paperex.apps.research.backtest_runner import backtest_run_execute
from paperex.apps.research.local_jobs import local_jobs


@shared_task(name="research.run_backtest")
def run_backtest_task(run_id: int) -> None:
    """Run a queued backtest."""
    backtest_run_execute(run_id=run_id)


def backtest_run_dispatch(run_id: int) -> None:
    """Start a stored, queued backtest: on a worker with Redis, else in this process."""
    if settings.PAPEREX_REDIS_URL:
        run_backtest_task.delay(run_id)
    else:
        local_jobs.submit(lambda: backtest_run_execute(run_id=run_id))
