"""Price alerts and the history of the ones that fired."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from paperex.apps.core.amounts import amount_field
from paperex.apps.markets.models import Market


class PriceAlert(models.Model):
    """A condition on a market's price that fires once, evaluated on the server."""

    class Condition(models.TextChoices):
        ABOVE = "ABOVE", "Price rises above"
        BELOW = "BELOW", "Price falls below"
        MOVE = "MOVE", "Price moves by a percentage within minutes"

    class Status(models.TextChoices):
        ACTIVE = "ACTIVE", "Active"
        TRIGGERED = "TRIGGERED", "Triggered"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="price_alerts"
    )
    market = models.ForeignKey(Market, on_delete=models.CASCADE, related_name="price_alerts")
    condition = models.CharField(max_length=8, choices=Condition.choices)
    price = amount_field(null=True, blank=True, help_text="ABOVE/BELOW: the threshold.")
    percent = models.DecimalField(
        max_digits=8,
        decimal_places=4,
        null=True,
        blank=True,
        help_text="MOVE: the move in percent.",
    )
    window_minutes = models.PositiveIntegerField(null=True, blank=True, help_text="MOVE: within.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)
    triggered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "market"]),
            models.Index(fields=["triggered_at"], name="alert_triggered_time"),
        ]

    def __str__(self) -> str:
        return f"{self.market_id} {self.condition} ({self.status})"


class AlertTrigger(models.Model):
    """One firing of an alert; kept (with a copy of what it said) when the alert is deleted.

    ``alert`` is unique, so however many server processes see the same price, an alert fires once.
    """

    alert = models.OneToOneField(
        PriceAlert, on_delete=models.SET_NULL, null=True, blank=True, related_name="trigger"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alert_triggers"
    )
    symbol = models.CharField(max_length=32)
    description = models.CharField(max_length=200)
    price = amount_field()
    message = models.CharField(max_length=300)
    triggered_at = models.DateTimeField()

    class Meta:
        ordering = ["-triggered_at", "-id"]
        indexes = [models.Index(fields=["triggered_at"], name="alert_trigger_time")]

    def __str__(self) -> str:
        return f"{self.symbol} {self.description} at {self.triggered_at:%Y-%m-%d %H:%M:%S}"
