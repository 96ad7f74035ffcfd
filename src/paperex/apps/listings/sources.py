"""The venues whose listings users can check, from the settings."""

from __future__ import annotations

from django.conf import settings

from paperex.marketdata.binance.parse import VENUE as BINANCE
from paperex.marketdata.listings import (
    BinanceListingSource,
    ListingSource,
    SyntheticListingSource,
)
from paperex.marketdata.synthetic import VENUE as SYNTHETIC

HOUR_MS = 3_600_000
KNOWN_VENUES = [SYNTHETIC, BINANCE]


def listing_venues() -> list[str]:
    """The venues to check, the default first: Binance when a binance feed is configured, and
    the synthetic venue always."""
    feeds = {feed.split(":", 1)[0] for feed in settings.PAPEREX_FEEDS}
    return ([BINANCE] if BINANCE in feeds else []) + [SYNTHETIC]


def listing_source(venue: str) -> ListingSource:
    """The source of ``venue``'s listing (one of ``listing_venues()``)."""
    if venue == BINANCE:
        return BinanceListingSource(settings.PAPEREX_BINANCE_REST_URL)
    return SyntheticListingSource(
        seed=settings.PAPEREX_LISTINGS_SEED,
        every_ms=int(settings.PAPEREX_LISTINGS_SYNTHETIC_HOURS * HOUR_MS),
    )
