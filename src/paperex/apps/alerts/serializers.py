from __future__ import annotations

from typing import Any

from rest_framework import serializers

from paperex.apps.alerts.conditions import describe
from paperex.apps.alerts.models import AlertTrigger, PriceAlert
from paperex.apps.core.amounts import AmountField


class AlertCreateSerializer(serializers.Serializer[None]):
    """A new alert: ABOVE/BELOW need `price`; MOVE needs `percent` and `window_minutes` (1-60)."""

    symbol = serializers.CharField(max_length=32)
    condition = serializers.ChoiceField(choices=PriceAlert.Condition.choices)
    price = AmountField(required=False, min_value=0)
    percent = serializers.DecimalField(max_digits=8, decimal_places=4, required=False, min_value=0)
    window_minutes = serializers.IntegerField(required=False, min_value=1, max_value=60)


class AlertFilterSerializer(serializers.Serializer[None]):
    status = serializers.ChoiceField(choices=PriceAlert.Status.choices, required=False)


class AlertSerializer(serializers.ModelSerializer[PriceAlert]):
    symbol = serializers.CharField(source="market.symbol")
    price = AmountField(allow_null=True)
    percent = AmountField(allow_null=True)
    description = serializers.SerializerMethodField()

    class Meta:
        model = PriceAlert
        fields = [
            "id",
            "symbol",
            "condition",
            "price",
            "percent",
            "window_minutes",
            "description",
            "status",
            "created_at",
            "triggered_at",
        ]

    def get_description(self, alert: PriceAlert) -> str:
        return describe(
            condition=alert.condition,
            price=alert.price,
            percent=alert.percent,
            window_minutes=alert.window_minutes,
        )


class AlertTriggerSerializer(serializers.ModelSerializer[AlertTrigger]):
    price = AmountField()

    class Meta:
        model = AlertTrigger
        fields = ["id", "alert_id", "symbol", "description", "price", "message", "triggered_at"]

    def to_representation(self, instance: AlertTrigger) -> dict[str, Any]:
        return dict(super().to_representation(instance))
