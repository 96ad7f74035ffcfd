"""Writes of live paper bots: create one after checking it, pause, resume and stop it, and record
what it did on a closed candle. What a bot holds is what its own orders filled."""

from __future__ import annotations

import dataclasses
from collections.abc import Collection
from decimal import Decimal
from typing import Any

from django.db.models import Value
from django.db.models.functions import Coalesce

from paperex.apps.core.errors import ErrorCode, PaperexError
from paperex.apps.markets.models import Market
from paperex.apps.research.backtest_requests import checked_strategy, invalid
from paperex.apps.research.models import Bot
from paperex.apps.research.selectors import bot_holdings, bot_orders

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
    if interval not in Bot.INTERVALS:
        raise invalid("interval", f"a bot's interval is one of {', '.join(Bot.INTERVALS)}")
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


def bot_decided(*, bot: Bot, candle: int, note: str | None = None, placed: bool = False) -> None:
    """Record that the bot decided on the candle that opened at ``candle`` (and placed an
    order), with what it now holds; a ``note`` replaces the last one. A bot paused or stopped
    meanwhile keeps that state."""
    fields: dict[str, Any] = {
        "first_candle": Coalesce("first_candle", Value(candle)),
        "last_candle": candle,
        "position": bot_holdings(bot).base,
    }
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
