from __future__ import annotations

from decimal import Decimal

import pytest

from paperex.domain import Instrument
from paperex.marketdata.listings import ListedSymbol, VenueUnavailableError
from paperex.marketdata.listings.synthetic import listing_instrument


class FakeVenue:
    """A listing source whose list the test changes, or that does not answer when ``down`` (its
    trading rules, the synthetic venue's, not when ``rules_down``)."""

    venue = "synthetic"

    def __init__(self) -> None:
        self.prices: dict[str, str] = {"BTCUSDT": "60000", "ETHUSDT": "3000"}
        self.down = False
        self.rules_down = False

    def listed(self) -> list[ListedSymbol]:
        if self.down:
            raise VenueUnavailableError("synthetic did not list its symbols: connection refused")
        return [ListedSymbol(symbol, Decimal(price)) for symbol, price in self.prices.items()]

    def instruments(self, listed: list[ListedSymbol]) -> list[Instrument]:
        if self.rules_down:
            raise VenueUnavailableError("synthetic did not give its trading rules: timed out")
        return [listing_instrument(item) for item in listed]


@pytest.fixture
def venue(monkeypatch: pytest.MonkeyPatch) -> FakeVenue:
    """The venue every check in the test asks (the services' ``listing_source``)."""
    fake = FakeVenue()
    monkeypatch.setattr("paperex.apps.listings.services.listing_source", lambda venue: fake)
    return fake
