from __future__ import annotations

from rest_framework import serializers

from paperex.apps.core.amounts import AmountField
from paperex.apps.equity.models import EquitySnapshot


class EquityHistoryQuerySerializer(serializers.Serializer[None]):
    since = serializers.DateTimeField(
        required=False,
        help_text="ISO 8601 date and time, e.g. 2025-01-31T12:00:00Z; default: 24 hours ago.",
    )


class EquitySnapshotSerializer(serializers.ModelSerializer[EquitySnapshot]):
    equity = AmountField(read_only=True)

    class Meta:
        model = EquitySnapshot
        fields = ["taken_at", "equity"]
