"""Reads of research: a user's backtests, and the strategies a backtest may run."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from paperex.apps.research.models import BacktestRun, Bot
from paperex.apps.trading.models import Fill, Order
from paperex.apps.trading.selectors.portfolio import market_last_price
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


def bot_orders(bot: Bot) -> QuerySet[Order]:
    """The orders this bot placed, oldest first."""
    return Order.objects.filter(
        user_id=bot.user_id, client_order_id__startswith=bot.client_order_prefix
    ).order_by("id")


@dataclass(frozen=True)
class BotHoldings:
    """What a bot's fills left it: the base it holds (after fees taken in base) and the quote
    it has put in (what it paid less what it received, after fees taken in quote)."""

    base: Decimal
    quote_spent: Decimal


def bot_holdings(bot: Bot) -> BotHoldings:
    """The sums of the bot's own fills."""
    base = spent = Decimal(0)
    fills = Fill.objects.filter(
        user_id=bot.user_id, order__client_order_id__startswith=bot.client_order_prefix
    ).values_list("side", "quantity", "quote_quantity", "fee", "fee_asset_id")
    base_asset, quote_asset = bot.market.base_id, bot.market.quote_id
    for side, quantity, quote, fee, fee_asset in fills:
        base_fee = fee if fee_asset == base_asset else 0
        quote_fee = fee if fee_asset == quote_asset else 0
        if side == "BUY":
            base, spent = base + quantity - base_fee, spent + quote + quote_fee
        else:
            base, spent = base - quantity - base_fee, spent - quote + quote_fee
    return BotHoldings(base, spent)


@dataclass(frozen=True)
class BotReport:
    """A bot with what its fills left it, its value at the market's last price (None before a
    trade) and its orders."""

    bot: Bot
    holdings: BotHoldings
    value: Decimal | None
    orders: list[Order]


def bot_report(*, user_id: int, bot_id: int) -> BotReport:
    """One of the user's bots with its figures; raises Bot.DoesNotExist."""
    bot = bot_get(user_id=user_id, bot_id=bot_id)
    holdings = bot_holdings(bot)
    price = market_last_price(bot.market)
    value = None if price is None else holdings.base * price
    return BotReport(bot, holdings, value, list(bot_orders(bot)))
