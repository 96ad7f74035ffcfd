"""Background jobs of research: a backtest on a Celery worker when Redis is configured, else on
a thread of this process (``local_jobs``; Celery's in-process mode would run it in the request);
and finding the runs that a stopped server or worker left unfinished."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from paperex.apps.research.backtest_runner import backtest_run_execute, backtest_runs_fail
from paperex.apps.research.local_jobs import local_jobs
from paperex.apps.research.models import BacktestRun

CUT_OFF = "Cut off: the server stopped while it ran; run it again."


def _time_limit() -> int:
    limit: int = settings.PAPEREX_BACKTEST_TIME_LIMIT
    return limit


@shared_task(name="research.run_backtest", time_limit=_time_limit())
def run_backtest_task(run_id: int) -> None:
    """Run a queued backtest (a worker stops it after the time limit: ``backtest_runs_expire``
    then marks it failed)."""
    backtest_run_execute(run_id=run_id)


@shared_task(name="research.expire_backtests")
def expire_backtests_task() -> None:
    """Fail the backtests that ran past the time limit."""
    backtest_runs_expire()


def backtest_run_dispatch(run_id: int) -> None:
    """Start a stored, queued backtest: on a worker with Redis, else in this process."""
    if settings.PAPEREX_REDIS_URL:
        run_backtest_task.delay(run_id)
    else:
        local_jobs.submit(("backtest", run_id), lambda: backtest_run_execute(run_id=run_id))


def backtest_runs_expire() -> int:
    """Fail the runs still running after the time limit (a worker that died, or one that the
    limit stopped); how many."""
    limit = _time_limit()
    expired = BacktestRun.objects.filter(
        status=BacktestRun.Status.RUNNING, started_at__lt=timezone.now() - timedelta(seconds=limit)
    )
    return backtest_runs_fail(
        expired,
        error=f"Cut off: no result after {limit} s, the time limit; its worker may have stopped.",
    )


def backtest_runs_recover() -> None:
    """Without Redis this process is the only one that runs backtests: a queued run its threads
    do not hold was lost with a stopped server and is sent again, a running one is failed."""
    unfinished = BacktestRun.objects.filter(
        status__in=[BacktestRun.Status.QUEUED, BacktestRun.Status.RUNNING]
    ).values_list("pk", "status")
    lost = [(pk, status) for pk, status in unfinished if not local_jobs.holds(("backtest", pk))]
    for pk, status in lost:
        if status == BacktestRun.Status.QUEUED:
            backtest_run_dispatch(pk)
    cut_off = [pk for pk, status in lost if status == BacktestRun.Status.RUNNING]
    backtest_runs_fail(BacktestRun.objects.filter(pk__in=cut_off), error=CUT_OFF)
