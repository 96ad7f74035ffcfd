"""The synthetic venue's listing: the default markets, plus a new symbol every ``every_ms`` since
``LISTINGS_EPOCH_MS``, named and priced from the seed, so new listings happen offline too."""

from __future__ import annotations

import hashlib
import string
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Final

from paperex.domain import Instrument
from paperex.marketdata.listings.source import ListedSymbol
from paperex.marketdata.synthetic.market import VENUE
from paperex.marketdata.synthetic.profiles import DEFAULT_PROFILES
from paperex.support.clock import ClockMs, wall_clock_ms

LISTINGS_EPOCH_MS: Final = 1_767_225_600_000
"""2026-01-01T00:00:00Z: the synthetic venue's first new listing comes ``every_ms`` after it."""
QUOTE_ASSET: Final = "USDT"
MIN_NOTIONAL: Final = Decimal(5)
"""The smallest order of a new listing, in USDT, as on Binance."""


def listing_symbol(seed: int, number: int) -> str:
    """The ``number``-th (0-based) new symbol of the venue of ``seed``: three to five letters
    then the number and USDT, so no two numbers share a name."""
    digest = hashlib.sha256(f"{seed}:{number}".encode()).digest()
    length = 3 + digest[0] % 3
    letters = "".join(string.ascii_uppercase[byte % 26] for byte in digest[1 : 1 + length])
    return f"{letters}{number}{QUOTE_ASSET}"


def listing_price(seed: int, number: int) -> Decimal:
    """The start price of the ``number``-th new symbol: 0.0001 to 999.9999, four decimals."""
    digest = hashlib.sha256(f"price:{seed}:{number}".encode()).digest()
    return Decimal(int.from_bytes(digest[:4]) % 9_999_999 + 1).scaleb(-4)


def listing_instrument(listed: ListedSymbol) -> Instrument:
    """The trading rules of a new symbol listed at ``listed.price`` (positive): five significant
    digits of price but never fewer places than the listed price's four, a quantity step worth 1
    to 10 USDT at prices from 1 up (one whole unit below 1), and Binance's 5 USDT minimum order."""
    magnitude = listed.price.adjusted()  # the exponent of the leading digit
    return Instrument(
        symbol=listed.symbol,
        base=listed.symbol.removesuffix(QUOTE_ASSET),
        quote=QUOTE_ASSET,
        tick_size=Decimal(1).scaleb(min(magnitude - 4, -4)),
        step_size=Decimal(1).scaleb(max(-8, min(-magnitude, 0))),
        min_notional=MIN_NOTIONAL,
    )


class SyntheticListingSource:
    """The base markets at their profile prices and the new symbols listed by ``clock_ms``."""

    venue = VENUE

    def __init__(
        self,
        *,
        seed: int,
        every_ms: int,
        clock_ms: ClockMs = wall_clock_ms,
        base_prices: Mapping[str, Decimal] | None = None,
    ) -> None:
        if every_ms <= 0:
            raise ValueError("every_ms must be positive")
        self.seed = seed
        self.every_ms = every_ms
        self.clock_ms = clock_ms
        self.base_prices = (
            {symbol: profile.start_price for symbol, profile in DEFAULT_PROFILES.items()}
            if base_prices is None
            else dict(base_prices)
        )

    def listed_count(self) -> int:
        """How many new symbols the venue has listed by now."""
        return max(0, (self.clock_ms() - LISTINGS_EPOCH_MS) // self.every_ms)

    def listed(self) -> list[ListedSymbol]:
        """The base markets, then the new symbols oldest first (never raises)."""
        base = [ListedSymbol(symbol, price) for symbol, price in self.base_prices.items()]
        new = [
            ListedSymbol(listing_symbol(self.seed, number), listing_price(self.seed, number))
            for number in range(self.listed_count())
        ]
        return base + new

    def instruments(self, listed: Sequence[ListedSymbol]) -> list[Instrument]:
        """The trading rules of these new symbols (see ``listing_instrument``; never raises)."""
        return [listing_instrument(item) for item in listed]
