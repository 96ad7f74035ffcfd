"""Reads of research: a user's backtests."""

from __future__ import annotations

from django.db.models import QuerySet

from paperex.apps.research.models import BacktestRun


def backtest_run_list(*, user_id: int) -> QuerySet[BacktestRun]:
    """The user's backtests, newest first, without their results or uploads."""
    return BacktestRun.objects.filter(user_id=user_id).defer("result", "csv")


def backtest_run_get(*, user_id: int, run_id: int) -> BacktestRun:
    """One of the user's backtests with its result; raises BacktestRun.DoesNotExist."""
    return BacktestRun.objects.filter(user_id=user_id).defer("csv").get(pk=run_id)
