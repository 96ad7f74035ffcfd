"""The trading rules of the markets, as order entry checks an order against them."""

from __future__ import annotations

from paperex.apps.core.cache import Refreshed
from paperex.apps.trading.catalog import CatalogMarket, catalog_read

MARKET_CACHE_SECONDS = 30.0


def _markets() -> dict[str, CatalogMarket]:
    return dict(catalog_read().markets)


_markets_cache = Refreshed(_markets, seconds=MARKET_CACHE_SECONDS)


async def order_entry_market(*, symbol: str) -> CatalogMarket | None:
    """The trading rules of ``symbol`` (case-insensitive) from a cache of at most 30 s."""
    return (await _markets_cache.get()).get(symbol.upper())


def order_entry_market_held(*, symbol: str) -> CatalogMarket | None:
    """``order_entry_market`` as last loaded, however old, without loading (None before the
    first load too): for a check that asks the database when it finds nothing here."""
    markets = _markets_cache.held()
    return None if markets is None else markets.get(symbol.upper())
