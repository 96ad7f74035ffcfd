"""New-listing detection: compare a venue's list with each user's snapshot of it.

A user's first check of a venue stores the snapshot and finds nothing new. Later checks add the
symbols the snapshot lacks to it and to the user's new listings (and alert history). A listing is
recorded once per user: the unique row decides between processes checking at the same time, and
only the process whose insert won tells the user.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Collection, Sequence
from datetime import UTC, datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction

from paperex.apps.alerts.services import alert_notice_record, alert_publish, trigger_payload
from paperex.apps.core.amounts import format_amount
from paperex.apps.core.errors import ErrorCode, ServiceUnavailableError
from paperex.apps.listings.models import NewListing, SeenSymbol
from paperex.apps.listings.sources import listing_source, listing_venues
from paperex.apps.markets.selectors import market_list
from paperex.apps.markets.services import market_from_listing_add
from paperex.marketdata.listings import ListedSymbol, ListingSource, VenueUnavailableError

logger = logging.getLogger(__name__)


class VenueUnavailableApiError(ServiceUnavailableError):
    """The venue did not answer: a 503 worth trying again in a while; nothing was changed."""

    retry_after = 30

    def __init__(self, message: str) -> None:
        super().__init__(ErrorCode.VENUE_UNAVAILABLE, message)


def listings_check(
    *, user_id: int, venue: str, source: ListingSource | None = None
) -> list[NewListing]:
    """Check ``venue`` for the user now: the new listings found (none on the first check).

    Raises VenueUnavailableApiError, changing nothing, when the venue does not answer.
    """
    source = source or listing_source(venue)
    try:
        listed = source.listed()
    except VenueUnavailableError as error:
        raise VenueUnavailableApiError(str(error)) from None
    found = listings_compare(user_id=user_id, venue=venue, listed=listed, at=datetime.now(UTC))
    listings_markets_add(source=source, listings=found)
    return found


def listings_compare(
    *, user_id: int, venue: str, listed: Collection[ListedSymbol], at: datetime
) -> list[NewListing]:
    """Add what the user's snapshot of ``venue`` lacks to it; the new listings this call
    recorded (none when the snapshot was empty: that was the first check)."""
    with transaction.atomic():
        seen = set(
            SeenSymbol.objects.filter(user_id=user_id, venue=venue).values_list("symbol", flat=True)
        )
        unseen = [item for item in listed if item.symbol not in seen]
        SeenSymbol.objects.bulk_create(
            [
                SeenSymbol(
                    user_id=user_id,
                    venue=venue,
                    symbol=item.symbol,
                    price=item.price,
                    first_seen_at=at,
                )
                for item in unseen
            ],
            ignore_conflicts=True,  # another process's check stored them first
        )
        if not seen:
            return []
        recorded = (_record_new(user_id=user_id, venue=venue, item=item, at=at) for item in unseen)
        return [listing for listing in recorded if listing is not None]


def _record_new(*, user_id: int, venue: str, item: ListedSymbol, at: datetime) -> NewListing | None:
    try:
        with transaction.atomic():
            listing = NewListing.objects.create(
                user_id=user_id, venue=venue, symbol=item.symbol, price=item.price, first_seen_at=at
            )
    except IntegrityError:
        return None  # recorded by another process, which tells the user
    return listing


def listings_check_everyone(venues: Collection[str] | None = None) -> Awaitable[None]:
    """Check every active user's snapshot of each venue (each venue asked once) and record the
    new listings in their alert history; returns the publishing of those alerts to the users'
    streams, for the caller's event loop. A venue that does not answer is logged and skipped."""
    notices = []
    for venue in listing_venues() if venues is None else venues:
        source = listing_source(venue)
        try:
            listed = source.listed()
        except VenueUnavailableError as error:
            logger.warning("listings check skipped: %s", error)
            continue
        at = datetime.now(UTC)
        found: list[NewListing] = []
        for user_id in get_user_model().objects.filter(is_active=True).values_list("pk", flat=True):
            with transaction.atomic():
                found += listings_compare(user_id=user_id, venue=venue, listed=listed, at=at)
        notices += [_notice(listing) for listing in found]
        listings_markets_add(source=source, listings=found)
    return _publish_all(notices)


def listings_markets_add(*, source: ListingSource, listings: Sequence[NewListing]) -> list[str]:
    """When the admin setting ``PAPEREX_LISTINGS_ADD_MARKETS`` is on, add the symbols of these
    new listings that are not markets yet as paper markets with the venue's trading rules; the
    symbols added. A venue that does not give its rules is logged and nothing is added."""
    if not settings.PAPEREX_LISTINGS_ADD_MARKETS or not listings:
        return []
    markets = set(market_list().values_list("symbol", flat=True))
    first_seen = {item.symbol: item for item in listings if item.symbol not in markets}
    if not first_seen:
        return []
    try:
        instruments = source.instruments(
            [ListedSymbol(item.symbol, item.price) for item in first_seen.values()]
        )
    except VenueUnavailableError as error:
        logger.warning("new listings not added as markets: %s", error)
        return []
    added = []
    for instrument in instruments:
        listing = first_seen[instrument.symbol]
        market = market_from_listing_add(
            instrument=instrument,
            venue=source.venue,
            price=listing.price,
            at_ms=int(listing.first_seen_at.timestamp() * 1000),
        )
        if market is not None:
            logger.info(
                "%s, new on %s, added as a paper market: it trades from the next start",
                market.symbol,
                source.venue,
            )
            added.append(market.symbol)
    return added


def _notice(listing: NewListing) -> tuple[int, dict[str, object]]:
    price = format_amount(listing.price)
    trigger = alert_notice_record(
        user_id=listing.user_id,
        symbol=listing.symbol,
        description=f"New listing on {listing.venue}",
        price=listing.price,
        message=f"{listing.symbol} is new on {listing.venue} at {price}",
        at=listing.first_seen_at,
    )
    return listing.user_id, trigger_payload(trigger)


async def _publish_all(notices: list[tuple[int, dict[str, object]]]) -> None:
    await asyncio.gather(*(alert_publish(user_id, payload) for user_id, payload in notices))
