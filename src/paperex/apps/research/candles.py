"""Paperex's stored candles as backtest bars."""

from __future__ import annotations

from typing import Any

import numpy as np
from django.db.models import QuerySet

from paperex.apps.markets.models import Candle, Market
from paperex.backtest.bars import Bars, BarsError
from paperex.marketdata.events import Kline


def stored_bars(
    symbol: str, interval: str, start_ms: int | None = None, end_ms: int | None = None
) -> Bars:
    """The closed candles of ``symbol`` at ``interval`` with an open time in [start, end), in
    time order. Raises BarsError for an unknown market or interval, or when there is none."""
    market, candles = _closed_candles(symbol, interval, start_ms, end_ms)
    rows = list(
        candles.order_by("open_time").values_list(
            "open_time", "open", "high", "low", "close", "volume"
        )
    )
    if not rows:
        raise BarsError(f"no stored {interval} candles of {market.symbol} in that range")
    return _bars(rows, market.symbol, interval)


def _bars(rows: list[tuple[Any, ...]], symbol: str, interval: str) -> Bars:
    """Bars of (open time, open, high, low, close, volume) rows in time order."""
    columns = list(zip(*rows, strict=True))
    return Bars.from_arrays(
        np.asarray(columns[0], dtype=np.int64),
        np.asarray(columns[4], dtype=np.float64),
        open=np.asarray(columns[1], dtype=np.float64),
        high=np.asarray(columns[2], dtype=np.float64),
        low=np.asarray(columns[3], dtype=np.float64),
        volume=np.asarray(columns[5], dtype=np.float64),
        symbol=symbol,
        interval=interval,
    )


def bars_up_to(market: Market, interval: str, last: Kline, count: int) -> Bars:
    """Up to ``count`` closed candles of the market at ``interval``: the stored ones before
    ``last`` (a candle that has just closed, which may not be stored yet) and ``last``."""
    rows = list(
        Candle.objects.filter(
            market=market, interval=interval, closed=True, open_time__lt=last.open_time
        )
        .order_by("-open_time")
        .values_list("open_time", "open", "high", "low", "close", "volume")[: count - 1]
    )
    rows.reverse()
    rows.append((last.open_time, last.open, last.high, last.low, last.close, last.volume))
    return _bars(rows, market.symbol, interval)


def stored_bar_count(
    symbol: str, interval: str, start_ms: int | None = None, end_ms: int | None = None
) -> int:
    """How many bars ``stored_bars`` would give; raises BarsError like it for an unknown
    market or interval (not for none)."""
    return _closed_candles(symbol, interval, start_ms, end_ms)[1].count()


def _closed_candles(
    symbol: str, interval: str, start_ms: int | None, end_ms: int | None
) -> tuple[Market, QuerySet[Candle]]:
    if interval not in Candle.Interval.values:
        raise BarsError(
            f"unknown interval {interval!r}: stored candles are {', '.join(Candle.Interval.values)}"
        )
    market = Market.objects.filter(symbol=symbol.upper()).first()
    if market is None:
        raise BarsError(f"no market {symbol.upper()}")
    candles = Candle.objects.filter(market=market, interval=interval, closed=True)
    if start_ms is not None:
        candles = candles.filter(open_time__gte=start_ms)
    if end_ms is not None:
        candles = candles.filter(open_time__lt=end_ms)
    return market, candles


def market_filters(symbol: str) -> dict[str, float | None]:
    """The stored market's taker fee, quantity step and minimum notional, as a backtest's
    execution takes them."""
    market = Market.objects.get(symbol=symbol.upper())
    return {
        "fee": float(market.taker_fee_rate),
        "step_size": float(market.step_size),
        "min_notional": float(market.min_notional),
    }
