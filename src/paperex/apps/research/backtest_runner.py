"""Running a queued backtest, wherever the job runs (a Celery worker, a thread of this
process): load its bars, run the strategy, store the result, or the error in one line."""

from __future__ import annotations

import logging
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from paperex.apps.research.backtest_requests import (
    requested_bars,
    requested_execution,
    requested_strategy,
)
from paperex.apps.research.chart_series import chart_series
from paperex.apps.research.models import BacktestRun
from paperex.backtest.document import result_document
from paperex.backtest.run import run_backtest

logger = logging.getLogger(__name__)

ERROR_LENGTH = 500


def backtest_run_execute(*, run_id: int) -> None:
    """Run a queued backtest to done (its result document with a chart series) or failed
    (its error). A run that is not queued (taken by another worker, deleted) is left alone;
    nothing the run raises reaches the caller."""
    claimed = BacktestRun.objects.filter(pk=run_id, status=BacktestRun.Status.QUEUED).update(
        status=BacktestRun.Status.RUNNING, progress=0, started_at=timezone.now()
    )
    if not claimed:
        return
    try:
        document = _result(BacktestRun.objects.get(pk=run_id))
    except Exception as error:  # whatever goes wrong is the run's failure, not the worker's
        _finish(run_id, status=BacktestRun.Status.FAILED, error=_one_line(error))
        return
    _finish(run_id, status=BacktestRun.Status.DONE, progress=100, result=document)


LOADED, RUN = 40, 80
"""The progress of a run once its bars are read, and once the strategy has run on them."""


def _result(run: BacktestRun) -> dict[str, Any]:
    request = run.request
    bars = requested_bars(request, run.csv)
    _progress(run.pk, LOADED)
    result = run_backtest(bars, requested_strategy(request), requested_execution(request))
    _progress(run.pk, RUN)
    return {**result_document(result), "series": chart_series(result)}


def _progress(run_id: int, percent: int) -> None:
    BacktestRun.objects.filter(pk=run_id, status=BacktestRun.Status.RUNNING).update(
        progress=percent
    )


def backtest_runs_fail(runs: QuerySet[BacktestRun], *, error: str) -> int:
    """Mark those of ``runs`` that are still running or queued failed with ``error``; how many."""
    unfinished = runs.filter(status__in=[BacktestRun.Status.QUEUED, BacktestRun.Status.RUNNING])
    return unfinished.update(
        status=BacktestRun.Status.FAILED, error=error, finished_at=timezone.now()
    )


def _finish(run_id: int, **fields: Any) -> None:
    """Store how the run ended, unless it was failed meanwhile (cut off, past its time limit)."""
    BacktestRun.objects.filter(pk=run_id, status=BacktestRun.Status.RUNNING).update(
        finished_at=timezone.now(), **fields
    )


def _one_line(error: Exception) -> str:
    """The data's fault (a ValueError: too few bars, a file that no longer reads) as its
    message; anything else, a bug, named by its type and logged with its traceback."""
    if isinstance(error, ValueError):
        text = str(error)
    else:
        logger.error("backtest failed", exc_info=error)
        text = f"{type(error).__name__}: {error}"
    lines = text.strip().splitlines() or ["unknown error"]
    return lines[0][:ERROR_LENGTH]
