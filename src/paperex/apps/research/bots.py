"""Writes of live paper bots: create one after checking it, pause, resume and stop it, and record
what it did on a closed candle. What a bot holds is what its own orders filled."""

from __future__ import annotations

import dataclasses
from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from paperex.apps.core.errors import ErrorCode, PaperexError
from paperex.apps.markets.models import Market
from paperex.apps.research.backtest_requests import checked_strategy, invalid
from paperex.apps.research.models import Bot
from paperex.apps.trading.models import Fill, Order

BOT_INTERVALS = ("1m", "5m", "15m", "1h", "4h", "1d")
"""The candle intervals a bot may decide on (one a second would be a loop, not a strategy)."""
NOTE_LENGTH = 500


class BotStateError(PaperexError):
    """HTTP 409: the bot is not in a state that allows the change."""

    def __init__(self, bot: Bot, change: str) -> None:
        super().__init__(
            ErrorCode.INVALID, f"Bot {bot.pk} is {bot.status}: it cannot {change}.", status=409
        )


def bot_create(
    *,
    user_id: int,
    symbol: str,
    interval: str,
    strategy: str,
    parameters: dict[str, Any],
    allocation: Decimal,
) -> Bot:
    """A running bot of the user's; raises PaperexError (400 naming the field) for an unknown or
    halted market, an interval bots do not use, an unknown strategy or bad parameters, or an
    allocation below the market's minimum order."""
    market = Market.objects.filter(symbol=symbol.upper(), status=Market.Status.TRADING).first()
    if market is None:
        raise invalid("symbol", f"no trading market {symbol.upper()}", ErrorCode.UNKNOWN_SYMBOL)
    if interval not in BOT_INTERVALS:
        raise invalid("interval", f"a bot's interval is one of {', '.join(BOT_INTERVALS)}")
    chosen = checked_strategy(strategy, parameters)
    if allocation <= 0 or allocation < market.min_notional:
        message = f"allocation must be at least {market.min_notional} {market.quote.code}"
        raise invalid("allocation", message)
    return Bot.objects.create(
        user_id=user_id,
        market=market,
        interval=interval,
        strategy=chosen.name,
        parameters=dataclasses.asdict(chosen),
        allocation=allocation,
    )


def _change(user_id: int, bot_id: int, allowed: Collection[str], to: str, change: str) -> Bot:
    """Raises Bot.DoesNotExist (not the user's) and BotStateError."""
    bot = Bot.objects.get(user_id=user_id, pk=bot_id)
    if bot.status not in allowed:
        raise BotStateError(bot, change)
    Bot.objects.filter(pk=bot.pk, status=bot.status).update(status=to, note="")
    bot.refresh_from_db()
    return bot


def bot_pause(*, user_id: int, bot_id: int) -> Bot:
    """Stop a running bot deciding until it is resumed (it keeps what it holds)."""
    return _change(user_id, bot_id, {Bot.Status.RUNNING}, Bot.Status.PAUSED, "pause")


def bot_resume(*, user_id: int, bot_id: int) -> Bot:
    """Let a paused or failed bot decide again from the next closed candle."""
    allowed = {Bot.Status.PAUSED, Bot.Status.FAILED}
    return _change(user_id, bot_id, allowed, Bot.Status.RUNNING, "resume")


def bot_stop(*, user_id: int, bot_id: int) -> Bot:
    """End a bot for good (what it holds stays in the user's balance)."""
    allowed = {Bot.Status.RUNNING, Bot.Status.PAUSED, Bot.Status.FAILED}
    return _change(user_id, bot_id, allowed, Bot.Status.STOPPED, "stop")


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


def bot_decided(*, bot: Bot, candle: int, note: str | None = None, placed: bool = False) -> None:
    """Record that the bot decided on the candle that opened at ``candle`` (and placed an
    order), with what it now holds; a ``note`` replaces the last one. A bot paused or stopped
    meanwhile keeps that state."""
    fields: dict[str, Any] = {"last_candle": candle, "position": bot_holdings(bot).base}
    if note is not None:
        fields["note"] = note[:NOTE_LENGTH]
    if placed:
        fields["orders_placed"] = bot_orders(bot).count()
    Bot.objects.filter(pk=bot.pk).update(**fields)


def bot_fail(*, bot: Bot, note: str) -> None:
    """Stop a running bot whose strategy failed, with the error in one line."""
    Bot.objects.filter(pk=bot.pk, status=Bot.Status.RUNNING).update(
        status=Bot.Status.FAILED, note=note[:NOTE_LENGTH]
    )
