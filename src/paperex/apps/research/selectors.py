"""Reads of research: a user's backtests, and the strategies a backtest may run."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet

from paperex.apps.research.candles import stored_bars
from paperex.apps.research.models import BacktestRun, Bot
from paperex.apps.trading.models import Fill, Order
from paperex.apps.trading.selectors.portfolio import market_last_price
from paperex.backtest.execution import Execution
from paperex.backtest.live import bars_needed
from paperex.backtest.reconcile import LiveTrade, backtest_from, reconcile, reconciled_document
from paperex.backtest.strategies import BUILT_IN, make_strategy, parameters
from paperex.marketdata.aggregation.intervals import INTERVAL_MILLISECONDS


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
    return Order.objects.filter(_placed_by(bot)).order_by("id")


def bot_fills(bot: Bot) -> QuerySet[Fill]:
    """The fills of the orders this bot placed, in order."""
    return Fill.objects.filter(_placed_by(bot, "order__")).order_by("order_id", "id")


def _placed_by(bot: Bot, order: str = "") -> Q:
    """The bot's orders: the user's with a client order id of the bot and a candle's time (a
    person's own ``bot7-x`` is not one)."""
    client_order_id = rf"^{bot.client_order_prefix}[0-9]+$"
    return Q(user_id=bot.user_id, **{f"{order}client_order_id__regex": client_order_id})


@dataclass(frozen=True)
class BotHoldings:
    """What a bot's fills left it: the base it holds (after fees taken in base) and the quote
    it has put in (what it paid less what it received, after fees taken in quote)."""

    base: Decimal
    quote_spent: Decimal


def _fee_split(bot: Bot, fee: Decimal, fee_asset_id: int) -> tuple[Decimal, Decimal]:
    """A fill's fee as (taken in the market's base asset, taken in its quote asset)."""
    market = bot.market
    zero = Decimal(0)
    return (
        fee if fee_asset_id == market.base_id else zero,
        fee if fee_asset_id == market.quote_id else zero,
    )


def bot_holdings(bot: Bot) -> BotHoldings:
    """The sums of the bot's own fills."""
    base = spent = Decimal(0)
    fills = bot_fills(bot).values_list("side", "quantity", "quote_quantity", "fee", "fee_asset_id")
    for side, quantity, quote, fee, fee_asset in fills:
        base_fee, quote_fee = _fee_split(bot, fee, fee_asset)
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


@dataclass(frozen=True)
class BotReconciliation:
    """A bot's trades beside its backtest's over the candles it saw (see
    ``paperex.backtest.reconcile``): how many bars, from and to which open time, and each trade
    as a document; empty before the bot's first decision."""

    bars: int
    start: int | None
    end: int | None
    trades: list[dict[str, object]]


def bot_reconciliation(*, user_id: int, bot_id: int) -> BotReconciliation:
    """Runs the bot's backtest on the candles it saw, from its first decision (after the warm-up
    it read) to its last, with its parameters, allocation and the market's fee and filters,
    filled at the close as the bot is. Raises Bot.DoesNotExist; BarsError when the candles are
    no longer stored."""
    bot = bot_get(user_id=user_id, bot_id=bot_id)
    if bot.first_candle is None or bot.last_candle is None:
        return BotReconciliation(0, None, None, [])
    market = bot.market
    strategy = make_strategy(BUILT_IN[bot.strategy], bot.parameters)
    warmup = (bars_needed(strategy) - 1) * INTERVAL_MILLISECONDS[bot.interval]
    bars = stored_bars(market.symbol, bot.interval, bot.first_candle - warmup, bot.last_candle + 1)
    execution = Execution(
        cash=float(bot.allocation),
        fee=float(market.taker_fee_rate),
        fill_at="close",
        step_size=float(market.step_size),
        min_notional=float(market.min_notional),
    )
    tested = backtest_from(bars, strategy, execution, first_time=bot.first_candle)
    last_price = market_last_price(market)
    rows = reconcile(
        tested.trades,
        bot_live_trades(bot),
        last_price=float(bars.close[-1]) if last_price is None else float(last_price),
    )
    start, end = int(bars.time[0]), int(bars.time[-1])
    return BotReconciliation(len(bars), start, end, [reconciled_document(row) for row in rows])


def bot_live_trades(bot: Bot) -> list[LiveTrade]:
    """The bot's round trips from its fills, in order: each buy opens one, the next sell closes
    it (prices are averages of the orders' fills; fees counted in the quote asset)."""
    orders: dict[int, list[Any]] = {}
    fills = bot_fills(bot).values_list(
        "order_id",
        "order__client_order_id",
        "side",
        "price",
        "quantity",
        "quote_quantity",
        "fee",
        "fee_asset_id",
    )
    for order_id, client_order_id, side, price, quantity, quote, fee, fee_asset in fills:
        candle = int(client_order_id.removeprefix(bot.client_order_prefix))
        summed = orders.setdefault(order_id, [side, candle, Decimal(0), Decimal(0), Decimal(0)])
        base_fee, quote_fee = _fee_split(bot, fee, fee_asset)
        summed[2] += quantity
        summed[3] += quote
        summed[4] += quote_fee + base_fee * price  # the fee's worth in quote
    trades: list[LiveTrade] = []
    open_trade: LiveTrade | None = None
    for side, candle, quantity, quote, fees in orders.values():
        price = float(quote / quantity)
        if side == "BUY":
            bought = float(quantity) - float(fees) / price  # less the fee taken in base
            open_trade = LiveTrade(bought, candle, price, quote_in=float(quote))
        elif open_trade is not None:
            trades.append(
                dataclasses.replace(
                    open_trade, exit_time=candle, exit_price=price, quote_out=float(quote - fees)
                )
            )
            open_trade = None
    return trades + ([open_trade] if open_trade else [])
