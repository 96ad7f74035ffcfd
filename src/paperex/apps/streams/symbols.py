"""Which market symbols exist, cached per process (markets rarely change)."""

from __future__ import annotations

import time

from channels.db import database_sync_to_async

from paperex.apps.markets.models import Market

REFRESH_SECONDS = 30.0
_cache: tuple[float, frozenset[str], frozenset[str]] = (0.0, frozenset(), frozenset())


def _load() -> tuple[frozenset[str], frozenset[str]]:
    rows = list(Market.objects.values_list("symbol", "kind"))
    return (
        frozenset(symbol for symbol, _ in rows),
        frozenset(symbol for symbol, kind in rows if kind == Market.Kind.STOCK),
    )


async def market_symbols() -> frozenset[str]:
    """Every market's symbol."""
    return (await _fresh())[1]


async def stock_symbols() -> frozenset[str]:
    """The symbols of stock markets."""
    return (await _fresh())[2]


async def _fresh() -> tuple[float, frozenset[str], frozenset[str]]:
    global _cache
    if time.monotonic() - _cache[0] > REFRESH_SECONDS:
        symbols, stocks = await database_sync_to_async(_load)()
        _cache = (time.monotonic(), symbols, stocks)
    return _cache
