"""One live paper bot's decision on a closed candle.

The bot reads the candles up to it (stored ones and the one that just closed), asks its
strategy, as the backtester does, whether to hold, and buys with its allocation or sells what it
holds with a MARKET order through the same order service as a person. The order's client order
id names the bot and the candle, so deciding again on a candle after a restart finds the order
placed the first time instead of placing another. A strategy that raises fails its bot, with the
error; an order the exchange refuses (funds, filters, an engine that is away) is the bot's note,
and it goes on.
"""

from __future__ import annotations

import logging

from asgiref.sync import sync_to_async

from paperex.apps.core.errors import PaperexError
from paperex.apps.research.bots import bot_decided, bot_fail
from paperex.apps.research.candles import bars_up_to
from paperex.apps.research.models import Bot
from paperex.apps.trading.services.orders import order_place
from paperex.backtest.live import bars_needed, holds_after
from paperex.backtest.strategies import BUILT_IN, make_strategy
from paperex.domain import OrderType, Side, TimeInForce
from paperex.marketdata.events import Kline

logger = logging.getLogger(__name__)


async def bot_decide(bot: Bot, candle: Kline) -> None:
    """One bot's decision on ``candle`` (see the module notes); never raises."""
    if bot.last_candle is not None and candle.open_time <= bot.last_candle:
        return
    market = bot.market
    sellable = bot.position // market.step_size * market.step_size  # less dust of fees
    holding = sellable > 0
    try:
        strategy = make_strategy(BUILT_IN[bot.strategy], bot.parameters)
        bars = await sync_to_async(bars_up_to)(market, bot.interval, candle, bars_needed(strategy))
        hold = holds_after(strategy, bars, holding=holding)
    except Exception as error:  # the strategy's fault ends its bot, not the process
        logger.warning("bot %s failed: %s", bot.pk, error)
        first_line = (str(error).splitlines() or [""])[0]
        await sync_to_async(bot_fail)(bot=bot, note=f"{type(error).__name__}: {first_line}")
        return
    if hold == holding:
        await sync_to_async(bot_decided)(bot=bot, candle=candle.open_time)
        return
    try:
        await order_place(
            user_id=bot.user_id,
            symbol=candle.symbol,
            side=Side.BUY if hold else Side.SELL,
            order_type=OrderType.MARKET,
            time_in_force=TimeInForce.GTC,
            quote_amount=bot.allocation if hold else None,
            quantity=None if hold else sellable,
            client_order_id=f"{bot.client_order_prefix}{candle.open_time}",
        )
    except PaperexError as refusal:  # the exchange's answer, as a person would get it
        note = f"no order on the candle of {candle.open_time}: {refusal.message}"
        await sync_to_async(bot_decided)(bot=bot, candle=candle.open_time, note=note)
        return
    await sync_to_async(bot_decided)(bot=bot, candle=candle.open_time, note="", placed=True)
