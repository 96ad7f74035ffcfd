"""Bars from Binance's klines (``GET /api/v3/klines``, page by page) with the symbol's quantity
step and minimum order from ``exchangeInfo``: history to backtest on, asked of the venue."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import httpx
import numpy as np

from paperex.backtest.bars import Bars, BarsError
from paperex.marketdata.binance.rest import BinanceApiError, BinanceRestClient
from paperex.marketdata.errors import ParseError
from paperex.marketdata.events import Kline

LATEST = 1000
"""Klines fetched when no start is given: the venue's most per request."""


@dataclass(frozen=True)
class VenueHistory:
    """A symbol's closed candles as bars, with its LOT_SIZE step and NOTIONAL minimum."""

    bars: Bars
    step_size: float
    min_notional: float


def binance_history(
    base_url: str,
    symbol: str,
    interval: str,
    *,
    start_ms: int | None = None,
    end_ms: int | None = None,
    timeout: float = 10.0,
) -> VenueHistory:
    """The closed candles of ``symbol`` at ``interval`` opening in [start, end) (the latest
    1,000 without a start). Raises BarsError, in one line, for an unknown symbol or interval,
    a venue that does not answer, or no candles."""
    try:
        return asyncio.run(_fetched(base_url, symbol, interval, start_ms, end_ms, timeout))
    except BinanceApiError as error:
        raise BarsError(f"binance: {error.message} ({symbol} {interval})") from None
    except (httpx.HTTPError, ParseError) as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise BarsError(f"binance did not answer with klines: {reason}") from None


async def _fetched(
    base_url: str,
    symbol: str,
    interval: str,
    start_ms: int | None,
    end_ms: int | None,
    timeout: float,
) -> VenueHistory:
    end_time = None if end_ms is None else end_ms - 1  # the venue's end is inclusive
    async with BinanceRestClient(base_url, timeout=timeout) as client:
        (rules,) = await client.exchange_info([symbol])
        if start_ms is None:
            klines = await client.klines(symbol, interval, end_time=end_time, limit=LATEST)
        else:
            history = client.kline_history(symbol, interval, start_time=start_ms, end_time=end_time)
            klines = [kline async for kline in history]
    closed = [kline for kline in klines if kline.closed]
    if not closed:
        raise BarsError(f"binance has no closed {interval} candles of {symbol} in that range")
    return VenueHistory(
        _bars(closed, symbol, interval), float(rules.step_size), float(rules.min_notional)
    )


def _bars(klines: list[Kline], symbol: str, interval: str) -> Bars:
    def column(name: str) -> np.ndarray:
        return np.asarray([float(getattr(kline, name)) for kline in klines], dtype=np.float64)

    return Bars.from_arrays(
        np.asarray([kline.open_time for kline in klines], dtype=np.int64),
        column("close"),
        open=column("open"),
        high=column("high"),
        low=column("low"),
        volume=column("volume"),
        symbol=symbol,
        interval=interval,
    )
