"""Live reads of this process's market data: the feed's book, 24h ticker and open candles."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import msgspec

from paperex.apps.core.amounts import format_amount
from paperex.apps.marketdata.runtime import runtime
from paperex.apps.markets.models import Candle, Market
from paperex.apps.markets.selectors import candle_list
from paperex.marketdata.events import Kline, Ticker24h

MINUTE_MS = 60_000
AVERAGE_PRICE_PLACES = Decimal("0.00000001")


def order_book_get(*, symbol: str, depth: int) -> dict[str, Any]:
    """The live book of ``symbol`` as JSON-ready data, best levels first."""
    state = runtime.state.of(symbol)
    book = state.book
    return {
        "symbol": symbol,
        "last_update_id": book.last_update_id or 0,
        "in_sync": book.in_sync,
        "updated_at": state.book_updated_at,
        "bids": [_level(price, quantity) for price, quantity in book.book.bids(depth)],
        "asks": [_level(price, quantity) for price, quantity in book.book.asks(depth)],
    }


def ticker_event_get(*, symbol: str) -> Ticker24h | None:
    """The latest 24h ticker of ``symbol`` with exact amounts, or None before any trade."""
    return runtime.state.of(symbol).ticker


def ticker_get(*, symbol: str) -> dict[str, Any] | None:
    """The latest 24h ticker of ``symbol`` as JSON-ready data, or None before any trade."""
    ticker = ticker_event_get(symbol=symbol)
    if ticker is None:
        return None
    data: dict[str, Any] = msgspec.to_builtins(ticker, builtin_types=())
    data.pop("kind", None)
    return data


def candle_list_with_open(
    *, market: Market, interval: str, start: int | None, end: int | None, limit: int
) -> list[Candle]:
    """``candle_list``, ending with the open candle of this process's live view when the range
    covers it, as Binance's klines do (without live market data here, there is none). The
    candle that closed last is taken from the live view too until it is stored, so that a
    minute is never missing between its close and the feed's next store."""
    candles = candle_list(market=market, interval=interval, start=start, end=end, limit=limit)
    state = runtime.state.of(market.symbol)
    live = [
        candle
        for candle in (
            state.last_closed_candles.get(interval),
            state.open_candles.get(interval),
        )
        if candle is not None
        and (start is None or candle.open_time >= start)
        and (end is None or candle.open_time <= end)
    ]
    if not live:
        return candles
    newest = live[-1].open_time  # a stored candle past it is left from before time went back
    by_open_time = {c.open_time: c for c in candles if c.open_time < newest}
    for kline in live:
        if kline.open_time <= newest and (not kline.closed or kline.open_time not in by_open_time):
            by_open_time[kline.open_time] = _candle_of(market, kline)
    merged = [by_open_time[open_time] for open_time in sorted(by_open_time)]
    return merged[:limit] if start is not None else merged[-limit:]


def _candle_of(market: Market, kline: Kline) -> Candle:
    """An unsaved row holding a live candle."""
    return Candle(
        market=market,
        interval=kline.interval,
        open_time=kline.open_time,
        **{field: getattr(kline, field) for field in Candle.VALUE_FIELDS},
    )


def last_price_get(*, symbol: str) -> Decimal | None:
    """The last price of ``symbol`` as its 24h ticker shows it, else its last trade's or
    quote's price (a stock without a ticker), else None."""
    state = runtime.state.of(symbol)
    return state.ticker.last_price if state.ticker is not None else state.last_price


def average_price_get(*, market: Market, minutes: int, now_ms: int) -> tuple[Decimal, int] | None:
    """The volume-weighted average price of ``market`` over the 1m candles of the last
    ``minutes`` minutes up to ``now_ms`` (the open one included), to 8 decimal places, and the
    time of its last trade (the newest candle's close when no trade is known here); None when
    nothing traded in those minutes."""
    current_open = now_ms - now_ms % MINUTE_MS
    candles = candle_list_with_open(
        market=market,
        interval=Candle.Interval.MINUTE,
        start=current_open - (minutes - 1) * MINUTE_MS,
        end=current_open,
        limit=minutes,
    )
    volume = sum((candle.volume for candle in candles), Decimal(0))
    if not volume:
        return None
    quote_volume = sum((candle.quote_volume for candle in candles), Decimal(0))
    trades = runtime.state.of(market.symbol).trades
    last_trade_time = trades[-1].trade_time if trades else min(candles[-1].close_time, now_ms)
    return (quote_volume / volume).quantize(AVERAGE_PRICE_PLACES), last_trade_time


def _level(price: Decimal, quantity: Decimal) -> list[str]:
    return [format_amount(price), format_amount(quantity)]
