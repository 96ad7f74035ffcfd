from __future__ import annotations

from decimal import Decimal

import pytest

from paperex.marketdata.listings import ListedSymbol, VenueUnavailableError


class FakeVenue:
    """A listing source whose list the test changes, or that does not answer when ``down``."""

    venue = "synthetic"

    def __init__(self) -> None:
        self.prices: dict[str, str] = {"BTCUSDT": "60000", "ETHUSDT": "3000"}
        self.down = False

    def listed(self) -> list[ListedSymbol]:
        if self.down:
            raise VenueUnavailableError("synthetic did not list its symbols: connection refused")
        return [ListedSymbol(symbol, Decimal(price)) for symbol, price in self.prices.items()]


@pytest.fixture
def venue(monkeypatch: pytest.MonkeyPatch) -> FakeVenue:
    """The venue every check in the test asks (the services' ``listing_source``)."""
    fake = FakeVenue()
    monkeypatch.setattr("paperex.apps.listings.services.listing_source", lambda venue: fake)
    return fake
