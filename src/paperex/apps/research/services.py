"""Writes of research: queueing a backtest after checking it, and deleting one."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction

from paperex.apps.core.errors import ErrorCode, PaperexError
from paperex.apps.research.backtest_requests import CsvSource, Source, checked_request
from paperex.apps.research.models import BacktestRun
from paperex.apps.research.tasks import backtest_run_dispatch


class BacktestsBusyError(PaperexError):
    """HTTP 429: the user has as many backtests queued or running as one may at once."""

    status = 429
    retry_after = 10

    def __init__(self, most: int) -> None:
        super().__init__(
            ErrorCode.RATE_LIMITED,
            f"You have {most} backtests queued or running, the most at once; "
            "try again when one has finished.",
            details={"limit": "backtests"},
        )


def backtest_run_start(
    *,
    user_id: int,
    source: Source,
    strategy: str,
    parameters: dict[str, Any],
    execution: dict[str, Any],
) -> BacktestRun:
    """A queued backtest of the user's, started after commit (see ``tasks``). Raises
    PaperexError, before anything is stored, for a request that cannot run, and
    BacktestsBusyError when the user has ``PAPEREX_BACKTESTS_PER_USER`` unfinished already."""
    most = settings.PAPEREX_BACKTESTS_PER_USER
    unfinished = BacktestRun.objects.filter(
        user_id=user_id, status__in=[BacktestRun.Status.QUEUED, BacktestRun.Status.RUNNING]
    )
    if unfinished.count() >= most:
        raise BacktestsBusyError(most)
    request = checked_request(
        source=source, strategy=strategy, parameters=parameters, execution=execution
    )
    with transaction.atomic():
        run = BacktestRun.objects.create(
            user_id=user_id,
            request=request,
            csv=source.content if isinstance(source, CsvSource) else None,
        )
        transaction.on_commit(lambda: backtest_run_dispatch(run.pk))
    return run


def backtest_run_delete(*, user_id: int, run_id: int) -> bool:
    """Delete one of the user's backtests (a running one finishes unseen); False when there
    is no such backtest."""
    deleted, _ = BacktestRun.objects.filter(user_id=user_id, pk=run_id).delete()
    return deleted > 0
