"""Reads for new-listing detection."""

from __future__ import annotations

from django.db.models import QuerySet

from paperex.apps.listings.models import NewListing, SeenSymbol


def seen_symbol_list(*, user_id: int, venue: str) -> QuerySet[SeenSymbol]:
    """The user's snapshot of ``venue``, by symbol."""
    return SeenSymbol.objects.filter(user_id=user_id, venue=venue)


def new_listing_list(*, user_id: int, venue: str | None = None) -> QuerySet[NewListing]:
    """The new listings found for the user, newest first, optionally of one venue."""
    listings = NewListing.objects.filter(user_id=user_id)
    return listings if venue is None else listings.filter(venue=venue)
