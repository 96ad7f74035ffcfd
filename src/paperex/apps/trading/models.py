from __future__ import annotations

from django.conf import settings
from django.db import models

from paperex.apps.markets.models import Asset, amount_field


class Balance(models.Model):
    """What a user holds of one asset: free to use, and locked by open orders."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="balances"
    )
    asset = models.ForeignKey(Asset, on_delete=models.PROTECT, related_name="balances")
    free = amount_field(default=0)
    locked = amount_field(default=0)

    class Meta:
        ordering = ["user", "asset"]
        constraints = [
            models.UniqueConstraint(fields=["user", "asset"], name="balance_one_per_user_asset"),
            models.CheckConstraint(
                condition=models.Q(free__gte=0), name="balance_free_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(locked__gte=0), name="balance_locked_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.asset}: {self.free} free, {self.locked} locked"
