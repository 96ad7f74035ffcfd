"""Reads of research: a user's backtests, and the strategies a backtest may run."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from paperex.apps.research.models import BacktestRun, Bot
from paperex.backtest.strategies import BUILT_IN, parameters


def backtest_run_list(*, user_id: int) -> QuerySet[BacktestRun]:
    """The user's backtests, newest first, without their results or uploads."""
    return BacktestRun.objects.filter(user_id=user_id).defer("result", "csv")


def backtest_run_get(*, user_id: int, run_id: int) -> BacktestRun:
    """One of the user's backtests with its result; raises BacktestRun.DoesNotExist."""
    return BacktestRun.objects.filter(user_id=user_id).defer("csv").get(pk=run_id)


def backtest_strategy_list() -> list[dict[str, Any]]:
    """The built-in strategies with their parameters in order: each one's name, default and
    whether it takes whole numbers."""
    return [
        {
            "name": name,
            "parameters": [
                {"name": parameter, "default": default, "integer": isinstance(default, int)}
                for parameter, default in parameters(strategy).items()
            ],
        }
        for name, strategy in BUILT_IN.items()
    ]


def running_bots(*, symbol: str, interval: str) -> list[Bot]:
    """The running bots of a market and interval, with their markets."""
    return list(
        Bot.objects.filter(
            market__symbol=symbol, interval=interval, status=Bot.Status.RUNNING
        ).select_related("market")
    )


def bot_list(*, user_id: int) -> QuerySet[Bot]:
    """The user's bots, newest first."""
    return Bot.objects.filter(user_id=user_id).select_related("market")


def bot_get(*, user_id: int, bot_id: int) -> Bot:
    """One of the user's bots; raises Bot.DoesNotExist."""
    return bot_list(user_id=user_id).get(pk=bot_id)
