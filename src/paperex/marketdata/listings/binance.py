"""Binance's listing: every symbol of ``GET /api/v3/ticker/price`` with its price."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

import httpx

from paperex.domain import Instrument
from paperex.marketdata.binance.parse import VENUE
from paperex.marketdata.binance.rest import BinanceApiError, BinanceRestClient
from paperex.marketdata.errors import ParseError
from paperex.marketdata.listings.source import ListedSymbol, VenueUnavailableError

T = TypeVar("T")


class BinanceListingSource:
    """Asks the venue at ``base_url`` (blocking: call it from a worker thread)."""

    venue = VENUE

    def __init__(self, base_url: str, *, timeout: float = 10.0) -> None:
        self.base_url = base_url
        self.timeout = timeout

    def listed(self) -> list[ListedSymbol]:
        """Every symbol with its price; raises VenueUnavailableError for no or a bad answer."""

        async def ticker_prices(client: BinanceRestClient) -> list[ListedSymbol]:
            return [ListedSymbol(t.symbol, t.price) for t in await client.ticker_prices()]

        return self._ask(ticker_prices, "did not list its symbols")

    def instruments(self, listed: Sequence[ListedSymbol]) -> list[Instrument]:
        """The ``exchangeInfo`` rules of those symbols that are trading; raises
        VenueUnavailableError for no or a bad answer."""

        async def trading_rules(client: BinanceRestClient) -> list[Instrument]:
            rules = await client.exchange_info([item.symbol for item in listed])
            return [symbol.to_instrument() for symbol in rules if symbol.trading]

        return self._ask(trading_rules, "did not give its trading rules") if listed else []

    def _ask(self, request: Callable[[BinanceRestClient], Awaitable[T]], failure: str) -> T:
        async def asked() -> T:
            async with BinanceRestClient(self.base_url, timeout=self.timeout) as client:
                return await request(client)

        try:
            return asyncio.run(asked())
        except (httpx.HTTPError, BinanceApiError, ParseError, ValueError) as error:
            reason = str(error).splitlines()[0] if str(error) else type(error).__name__
            raise VenueUnavailableError(f"{VENUE} {failure}: {reason}") from None
