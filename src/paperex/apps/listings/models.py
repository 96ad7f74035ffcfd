"""What each user has seen listed on each venue, and the new listings found since."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from paperex.apps.core.amounts import amount_field


class SeenSymbol(models.Model):
    """One symbol in a user's snapshot of a venue, with its price when first seen."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="seen_symbols"
    )
    venue = models.CharField(max_length=16)
    symbol = models.CharField(max_length=32)
    price = amount_field()
    first_seen_at = models.DateTimeField()

    class Meta:
        ordering = ["venue", "symbol"]
        constraints = [
            models.UniqueConstraint(fields=["user", "venue", "symbol"], name="seen_symbol_once")
        ]

    def __str__(self) -> str:
        return f"{self.venue} {self.symbol}"


class NewListing(models.Model):
    """A symbol a venue listed after the user's first check.

    Unique per user, venue and symbol: when several processes find the same listing, the one
    whose insert wins is the one that tells the user.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="new_listings"
    )
    venue = models.CharField(max_length=16)
    symbol = models.CharField(max_length=32)
    price = amount_field()
    first_seen_at = models.DateTimeField()

    class Meta:
        ordering = ["-first_seen_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "venue", "symbol"], name="new_listing_once")
        ]

    def __str__(self) -> str:
        return f"{self.venue} {self.symbol} at {self.first_seen_at:%Y-%m-%d %H:%M:%S}"
