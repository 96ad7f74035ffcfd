from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from rest_framework import serializers

from paperex.analysis.trades_csv import ASSET_PATTERN, TICKER_PATTERN
from paperex.apps.core.amounts import AmountField
from paperex.apps.journal.models import TICKER_MAX_LENGTH, JournalTrade
from paperex.apps.journal.selectors import ORDERING_FIELDS

NOTES_MAX_LENGTH = 2_000
TAG_MAX_LENGTH = 32
TAGS_MAX = 20


class CodeField(serializers.CharField):
    """A code as typed, stored upper-case, checked against ``pattern`` (the trades.csv format's,
    so every journal trade exports and analyses)."""

    def __init__(self, *, pattern: str, rule: str, **kwargs: Any) -> None:
        super().__init__(max_length=TICKER_MAX_LENGTH, trim_whitespace=False, **kwargs)
        self.pattern = pattern
        self.rule = rule

    def to_internal_value(self, data: Any) -> str:
        text = super().to_internal_value(data).upper()
        if not re.fullmatch(self.pattern, text):
            raise serializers.ValidationError(self.rule)
        return text


def ticker_field(**kwargs: Any) -> CodeField:
    """A symbol as typed (AAPL, btcusdt, BRK.B, EURUSD=X)."""
    return CodeField(
        pattern=TICKER_PATTERN,
        rule="A ticker is letters and digits, with . - _ / : = ^ inside (no spaces).",
        **kwargs,
    )


class SideField(serializers.CharField):
    """BUY or SELL, in any case."""

    def to_internal_value(self, data: Any) -> str:
        side = super().to_internal_value(data).upper()
        if side not in JournalTrade.Side.values:
            raise serializers.ValidationError('Side must be "BUY" or "SELL".')
        return side


class PositiveAmountField(AmountField):
    """An exact amount above zero; JSON numbers are read as the decimal they print as."""

    def to_internal_value(self, data: Any) -> Decimal:
        value = super().to_internal_value(data)
        if value <= 0:
            raise serializers.ValidationError("Must be greater than 0.")
        return value


class JournalTradeInputSerializer(serializers.Serializer[None]):
    """A trade you made: ticker, side, price and quantity; the rest is optional."""

    ticker = ticker_field()
    side = SideField(help_text="BUY or SELL (any case)")
    price = PositiveAmountField()
    quantity = PositiveAmountField()
    fee = AmountField(min_value=Decimal(0), required=False, allow_null=True)
    fee_asset = CodeField(
        pattern=ASSET_PATTERN,
        rule="An asset is letters and digits (USDT, BTC).",
        required=False,
        allow_blank=True,
        help_text="e.g. USDT",
    )
    timestamp = serializers.DateTimeField(
        required=False, help_text="when it was made (ISO 8601); default now"
    )
    notes = serializers.CharField(max_length=NOTES_MAX_LENGTH, required=False, allow_blank=True)
    tags = serializers.ListField(
        child=serializers.CharField(max_length=TAG_MAX_LENGTH),
        max_length=TAGS_MAX,
        required=False,
    )


class JournalTradeSerializer(serializers.ModelSerializer[JournalTrade]):
    price = AmountField()
    quantity = AmountField()
    fee = AmountField(allow_null=True)
    timestamp = serializers.DateTimeField(source="executed_at")
    # DRF takes declared fields off the class, so an API name may shadow a Field attribute.
    read_only = serializers.BooleanField(  # type: ignore[assignment]
        source="is_read_only", help_text="an exchange fill: it cannot be edited or deleted"
    )
    tags = serializers.ListField(child=serializers.CharField())

    class Meta:
        model = JournalTrade
        fields = [
            "id",
            "ticker",
            "side",
            "price",
            "quantity",
            "fee",
            "fee_asset",
            "timestamp",
            "notes",
            "tags",
            "source",
            "order_id",
            "read_only",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class JournalFilterSerializer(serializers.Serializer[None]):
    ticker = serializers.CharField(required=False, max_length=TICKER_MAX_LENGTH)
    side = SideField(required=False)
    source = serializers.ChoiceField(  # type: ignore[assignment]  # (see read_only above)
        choices=JournalTrade.Source.values, required=False
    )
    start_date = serializers.DateField(
        required=False, input_formats=["%Y-%m-%d"], help_text="from this UTC day (YYYY-MM-DD)"
    )
    end_date = serializers.DateField(
        required=False, input_formats=["%Y-%m-%d"], help_text="to this UTC day, inclusive"
    )
    ordering = serializers.ChoiceField(
        choices=[*ORDERING_FIELDS, *(f"-{name}" for name in ORDERING_FIELDS)],
        default="-timestamp",
        help_text="a column, with - for descending",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs.get("start_date"), attrs.get("end_date")
        if start is not None and end is not None and start > end:
            raise serializers.ValidationError({"start_date": "start_date is after end_date."})
        return attrs
