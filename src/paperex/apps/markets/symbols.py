"""Which market symbols exist, cached per process (markets rarely change)."""

from __future__ import annotations

from paperex.apps.core.cache import Refreshed
from paperex.apps.markets.models import Market

REFRESH_SECONDS = 30.0


def _symbols() -> frozenset[str]:
    return frozenset(Market.objects.values_list("symbol", flat=True))


_symbols_cache = Refreshed(_symbols, seconds=REFRESH_SECONDS)


async def market_symbols() -> frozenset[str]:
    """Every market's symbol, at most ``REFRESH_SECONDS`` old."""
    return await _symbols_cache.get()
