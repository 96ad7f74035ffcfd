"""A user's trade journal: trades typed in by hand, and a read-only copy of every engine fill."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from paperex.apps.core.amounts import amount_field
from paperex.apps.trading.models import Fill

TICKER_MAX_LENGTH = 20


class JournalTrade(models.Model):
    """One trade in a user's journal.

    ``manual`` trades are the user's own, made anywhere, on any ticker. ``exchange`` trades copy
    Paperex's fills (``fill`` is unique, so each fill appears once) and are read-only.
    """

    class Side(models.TextChoices):
        # Labelled as the exchange's sides are, so the API schema has one Side enum.
        BUY = "BUY", "BUY"
        SELL = "SELL", "SELL"

    class Source(models.TextChoices):
        MANUAL = "manual", "Typed in"
        EXCHANGE = "exchange", "Filled by Paperex"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="journal_trades"
    )
    ticker = models.CharField(max_length=TICKER_MAX_LENGTH)
    side = models.CharField(max_length=4, choices=Side.choices)
    price = amount_field()
    quantity = amount_field()
    fee = amount_field(null=True, blank=True)
    fee_asset = models.CharField(max_length=TICKER_MAX_LENGTH, blank=True, default="")
    executed_at = models.DateTimeField()
    notes = models.TextField(blank=True, default="")
    tags = models.JSONField(default=list, blank=True)
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.MANUAL)
    order_id = models.BigIntegerField(null=True, blank=True)
    fill = models.OneToOneField(
        Fill, null=True, blank=True, on_delete=models.CASCADE, related_name="journal_trade"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-executed_at", "-id"]
        indexes = [
            models.Index(fields=["user", "executed_at"], name="journal_user_time"),
            models.Index(fields=["executed_at"], name="journal_time"),
            # A user's copy of fills starts above their last copied one (journal_fills_sync).
            models.Index(fields=["user", "fill"], name="journal_user_fill"),
        ]

    def __str__(self) -> str:
        return f"{self.side} {self.quantity} {self.ticker} @ {self.price} ({self.source})"

    @property
    def is_read_only(self) -> bool:
        return self.source == self.Source.EXCHANGE


class FillCopyMark(models.Model):
    """How far the journal has copied everyone's fills: all fills up to ``last_fill_id`` are in
    it (one row)."""

    last_fill_id = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"fills copied up to {self.last_fill_id}"
