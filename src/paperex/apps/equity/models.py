"""Each user's equity over time, recorded by the server for the portfolio's equity curve."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from paperex.apps.core.amounts import amount_field


class EquitySnapshot(models.Model):
    """What a user's balances were worth at one moment (see ``selectors.equities``)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="equity_snapshots"
    )
    taken_at = models.DateTimeField()
    equity = amount_field()

    class Meta:
        ordering = ["taken_at", "id"]
        indexes = [
            models.Index(fields=["user", "taken_at"]),
            models.Index(fields=["taken_at"], name="equity_snapshot_time"),  # the prune's
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.equity} at {self.taken_at:%Y-%m-%d %H:%M:%S}"
