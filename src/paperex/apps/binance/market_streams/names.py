"""Binance's market stream names (``btcusdt@trade``, ``!ticker@arr``, ...) and the hub topics
they are published on: a raw and a combined topic per name, as their frames differ in bytes."""

from __future__ import annotations

import re

from paperex.apps.markets.models import Candle

ALL_TICKERS = "!ticker@arr"
ALL_MINI_TICKERS = "!miniTicker@arr"
DEPTH_LEVELS = ("5", "10", "20")
SYMBOL_STREAMS = frozenset(
    {
        "trade",
        "aggTrade",
        "ticker",
        "miniTicker",
        "bookTicker",
        "depth",
        "depth@100ms",
        *(f"depth{levels}" for levels in DEPTH_LEVELS),
        *(f"depth{levels}@100ms" for levels in DEPTH_LEVELS),
        *(f"kline_{interval}" for interval in Candle.Interval.values),
    }
)
"""What may follow ``<symbol>@``: the streams Paperex publishes, with its candle intervals."""
_SYMBOL = re.compile(r"^[A-Za-z0-9]{1,20}$")


def stream_name(text: object) -> str | None:
    """The canonical name (lowercase symbol) of a stream Paperex publishes, or None when
    ``text`` names none. A symbol Paperex does not list is a valid name that never sends, as on
    Binance."""
    if not isinstance(text, str):
        return None
    if text in (ALL_TICKERS, ALL_MINI_TICKERS):
        return text
    symbol, _, stream = text.partition("@")
    if not _SYMBOL.match(symbol) or stream not in SYMBOL_STREAMS:
        return None
    return f"{symbol.lower()}@{stream}"


def raw_topic(name: str) -> str:
    """The hub topic of a stream's raw frames (``/ws``): the payload alone."""
    return f"binance:{name}"


def combined_topic(name: str) -> str:
    """The hub topic of a stream's combined frames (``/stream``): ``{"stream", "data"}``."""
    return f"binance+:{name}"
