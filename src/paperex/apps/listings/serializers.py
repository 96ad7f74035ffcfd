from __future__ import annotations

from typing import Any

from rest_framework import serializers

from paperex.apps.core.amounts import AmountField
from paperex.apps.listings.models import NewListing, SeenSymbol
from paperex.apps.listings.sources import KNOWN_VENUES, listing_venues


class VenueSerializer(serializers.Serializer[None]):
    """The venue to look at: `binance` when its feed is configured (then the default), or
    `synthetic` (the default otherwise)."""

    venue = serializers.ChoiceField(choices=KNOWN_VENUES, required=False)

    def validate_venue(self, venue: str) -> str:
        if venue not in listing_venues():
            raise serializers.ValidationError(f"{venue} is not checked on this server.")
        return venue

    def venue_or_default(self) -> str:
        """The validated venue, or the default one."""
        venue: str = self.validated_data.get("venue", listing_venues()[0])
        return venue


class SeenSymbolSerializer(serializers.ModelSerializer[SeenSymbol]):
    price = AmountField(read_only=True, help_text="the price when first seen")

    class Meta:
        model = SeenSymbol
        fields = ["venue", "symbol", "price", "first_seen_at"]


class NewListingSerializer(serializers.ModelSerializer[NewListing]):
    price = AmountField(read_only=True, help_text="the price when found")

    class Meta:
        model = NewListing
        fields = ["id", "venue", "symbol", "price", "first_seen_at"]


class ListingsCheckSerializer(serializers.Serializer[dict[str, Any]]):
    """A check's answer: the venue and the new listings found (none on the first check)."""

    venue = serializers.CharField()
    new = NewListingSerializer(many=True)
