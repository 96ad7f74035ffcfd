"""Binance's listing: every symbol of ``GET /api/v3/ticker/price`` with its price."""

from __future__ import annotations

import asyncio

import httpx

from paperex.marketdata.binance.parse import VENUE
from paperex.marketdata.binance.rest import BinanceApiError, BinanceRestClient
from paperex.marketdata.errors import ParseError
from paperex.marketdata.listings.source import ListedSymbol, VenueUnavailableError


class BinanceListingSource:
    """Asks the venue at ``base_url`` (blocking: call it from a worker thread)."""

    venue = VENUE

    def __init__(self, base_url: str, *, timeout: float = 10.0) -> None:
        self.base_url = base_url
        self.timeout = timeout

    def listed(self) -> list[ListedSymbol]:
        """Every symbol with its price; raises VenueUnavailableError for no or a bad answer."""
        try:
            return asyncio.run(self._ticker_prices())
        except (httpx.HTTPError, BinanceApiError, ParseError) as error:
            reason = str(error).splitlines()[0] if str(error) else type(error).__name__
            raise VenueUnavailableError(f"{VENUE} did not list its symbols: {reason}") from None

    async def _ticker_prices(self) -> list[ListedSymbol]:
        async with BinanceRestClient(self.base_url, timeout=self.timeout) as client:
            return [ListedSymbol(t.symbol, t.price) for t in await client.ticker_prices()]
