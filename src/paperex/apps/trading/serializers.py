from __future__ import annotations

from decimal import Decimal
from typing import Any

from rest_framework import serializers

from paperex.apps.core.fields import AmountField, asset_code_field
from paperex.apps.trading.models import Balance, Fill, Order
from paperex.apps.trading.order_request import (
    CLIENT_ORDER_ID,
    SYMBOL_MAX_LENGTH,
    order_fields_problem,
)
from paperex.apps.trading.payloads import fill_payload, order_payload
from paperex.domain import OrderStatus, OrderType, SelfTradePrevention, Side, TimeInForce

ORDERING_FIELDS = [
    "id",
    "symbol",
    "side",
    "type",
    "status",
    "price",
    "quantity",
    "executed_quantity",
    "created_at",
    "updated_at",
]


def _choices(enum: Any) -> list[str]:
    return [member.value for member in enum]


class BalanceSerializer(serializers.ModelSerializer[Balance]):
    asset = asset_code_field()
    free = AmountField(read_only=True)
    locked = AmountField(read_only=True)

    class Meta:
        model = Balance
        fields = ["asset", "free", "locked"]


class PositiveAmountField(AmountField):
    """A decimal string or number that must be greater than zero."""

    default_error_messages = {"not_positive": "Must be greater than zero."}

    def to_internal_value(self, data: Any) -> Decimal:
        value = super().to_internal_value(data)
        if value <= 0:
            self.fail("not_positive")
        return value


class OrderPlaceSerializer(serializers.Serializer[None]):
    """A new order (Binance spot semantics); decimals as strings or numbers."""

    symbol = serializers.CharField(max_length=SYMBOL_MAX_LENGTH)
    side = serializers.ChoiceField(choices=_choices(Side))
    type = serializers.ChoiceField(choices=_choices(OrderType), default=OrderType.LIMIT.value)
    time_in_force = serializers.ChoiceField(
        choices=_choices(TimeInForce), default=TimeInForce.GTC.value
    )
    quantity = PositiveAmountField(required=False)
    price = PositiveAmountField(required=False)
    stop_price = PositiveAmountField(required=False)
    quote_order_qty = PositiveAmountField(required=False, help_text="MARKET: spend this quote.")
    client_order_id = serializers.RegexField(
        rf"^{CLIENT_ORDER_ID.pattern}$",
        required=False,
        error_messages={"invalid": "Use 1-36 letters, digits and . _ : / - only."},
    )
    self_trade_prevention = serializers.ChoiceField(
        choices=_choices(SelfTradePrevention), required=False
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        problem = order_fields_problem(OrderType(attrs["type"]), set(attrs))
        if problem is not None:
            field, message = problem
            raise serializers.ValidationError({field: message})
        return attrs


class OrderSerializer(serializers.ModelSerializer[Order]):
    """An order; the representation is ``payloads.order_payload`` (shared with the streams)."""

    symbol = serializers.CharField(source="market.symbol")
    price = AmountField(allow_null=True)
    stop_price = AmountField(allow_null=True)
    quantity = AmountField()
    quote_order_qty = AmountField(source="quote_amount", allow_null=True)
    executed_quantity = AmountField()
    cumulative_quote = AmountField()

    class Meta:
        model = Order
        fields = [
            "id",
            "symbol",
            "client_order_id",
            "side",
            "type",
            "time_in_force",
            "price",
            "stop_price",
            "quantity",
            "quote_order_qty",
            "executed_quantity",
            "cumulative_quote",
            "status",
            "status_reason",
            "self_trade_prevention",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def to_representation(self, instance: Order) -> dict[str, Any]:
        return order_payload(instance, instance.market.symbol)


class OrderFilterSerializer(serializers.Serializer[None]):
    symbol = serializers.CharField(required=False)
    status = serializers.ChoiceField(choices=_choices(OrderStatus), required=False)
    side = serializers.ChoiceField(choices=_choices(Side), required=False)
    start = serializers.DateTimeField(required=False, help_text="created at or after (ISO 8601)")
    end = serializers.DateTimeField(required=False, help_text="created at or before (ISO 8601)")
    ordering = serializers.ChoiceField(
        choices=[*ORDERING_FIELDS, *(f"-{field}" for field in ORDERING_FIELDS)],
        default="-created_at",
        help_text="a column, with - for descending",
    )


class CancelAllSerializer(serializers.Serializer[None]):
    symbol = serializers.CharField(required=False)


class FillSerializer(serializers.ModelSerializer[Fill]):
    symbol = serializers.CharField(source="market.symbol")
    fee_asset = asset_code_field()
    price = AmountField()
    quantity = AmountField()
    quote_quantity = AmountField()
    fee = AmountField()

    class Meta:
        model = Fill
        fields = [
            "id",
            "order_id",
            "trade_id",
            "symbol",
            "side",
            "price",
            "quantity",
            "quote_quantity",
            "fee",
            "fee_asset",
            "liquidity",
            "is_reference",
            "executed_at",
        ]
        read_only_fields = fields

    def to_representation(self, instance: Fill) -> dict[str, Any]:
        return fill_payload(instance, instance.market.symbol, instance.fee_asset.code)


class FillFilterSerializer(serializers.Serializer[None]):
    symbol = serializers.CharField(required=False)
    order_id = serializers.IntegerField(required=False)


class PublicTradeSerializer(serializers.Serializer[None]):
    id = serializers.IntegerField()
    sequence = serializers.IntegerField()
    price = AmountField()
    quantity = AmountField()
    quote_quantity = AmountField()
    taker_side = serializers.CharField()
    is_reference = serializers.BooleanField()
    executed_at = serializers.DateTimeField()


class PublicTradeQuerySerializer(serializers.Serializer[None]):
    limit = serializers.IntegerField(min_value=1, max_value=1000, default=100)


class PositionSerializer(serializers.Serializer[None]):
    symbol = serializers.CharField()
    asset = serializers.CharField()
    quote_asset = serializers.CharField()
    quantity = serializers.CharField()
    average_price = serializers.CharField(allow_null=True)
    last_price = serializers.CharField(allow_null=True)
    market_value = serializers.CharField(allow_null=True)
    realized_pnl = serializers.CharField()
    unrealized_pnl = serializers.CharField(allow_null=True)
    percent_change = serializers.CharField(
        allow_null=True, help_text="the market's 24h ticker change, in percent"
    )
    equity_change = serializers.CharField(
        allow_null=True, help_text="the position's value change over the ticker's 24 hours"
    )
