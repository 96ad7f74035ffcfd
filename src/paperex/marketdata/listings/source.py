"""The shape every venue-listing source has."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from paperex.domain import Instrument


@dataclass(frozen=True, slots=True)
class ListedSymbol:
    """A symbol a venue lists, with its latest price."""

    symbol: str
    price: Decimal


class VenueUnavailableError(Exception):
    """The venue did not answer with its list; the message is one line naming the venue."""


class ListingSource(Protocol):
    venue: str

    def listed(self) -> list[ListedSymbol]:
        """Every symbol the venue lists now; raises VenueUnavailableError when it cannot tell."""
        ...

    def instruments(self, listed: Sequence[ListedSymbol]) -> list[Instrument]:
        """The venue's trading rules of these symbols, those it trades; raises
        VenueUnavailableError when it cannot tell."""
        ...
