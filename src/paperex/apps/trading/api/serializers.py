from __future__ import annotations

from typing import Any

from rest_framework import serializers

from paperex.apps.core.amounts import AmountField, asset_code_field
from paperex.apps.core.ids import LARGEST_ID
from paperex.apps.trading.models import Balance, Fill, Order
from paperex.apps.trading.schemas import BalanceView, FillView, OrderView, plain
from paperex.apps.trading.services.order_request import client_order_id_field, enum_values
from paperex.domain import OrderStatus, Side

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


class BalanceSerializer(serializers.ModelSerializer[Balance]):
    asset = asset_code_field()
    free = AmountField(read_only=True)
    locked = AmountField(read_only=True)

    class Meta:
        model = Balance
        fields = list(BalanceView.__struct_fields__)

    def to_representation(self, instance: Balance) -> dict[str, Any]:
        return plain(BalanceView.of(instance))


class OrderSerializer(serializers.ModelSerializer[Order]):
    """An order (its fields here describe it for the schema); shown as ``OrderView``."""

    symbol = serializers.CharField(source="market.symbol")
    price = AmountField(allow_null=True)
    stop_price = AmountField(allow_null=True)
    quantity = AmountField()
    quote_order_qty = AmountField(source="quote_amount", allow_null=True)
    executed_quantity = AmountField()
    cumulative_quote = AmountField()

    class Meta:
        model = Order
        fields = list(OrderView.__struct_fields__)  # the one definition of the shape
        read_only_fields = fields

    def to_representation(self, instance: Order) -> dict[str, Any]:
        return plain(OrderView.of(instance, instance.market.symbol))


class OrderFilterSerializer(serializers.Serializer[None]):
    symbol = serializers.CharField(required=False)
    status = serializers.ChoiceField(choices=enum_values(OrderStatus), required=False)
    side = serializers.ChoiceField(choices=enum_values(Side), required=False)
    start = serializers.DateTimeField(required=False, help_text="created at or after (ISO 8601)")
    end = serializers.DateTimeField(required=False, help_text="created at or before (ISO 8601)")
    ordering = serializers.ChoiceField(
        choices=[*ORDERING_FIELDS, *(f"-{field}" for field in ORDERING_FIELDS)],
        default="-created_at",
        help_text="a column, with - for descending",
    )


class OrderLookupSerializer(serializers.Serializer[None]):
    client_order_id = client_order_id_field(help_text="the order's client order id")


class CancelAllSerializer(serializers.Serializer[None]):
    symbol = serializers.CharField(required=False)


class CancelAllAcceptedSerializer(serializers.Serializer[None]):
    """A cancel-all the engine has not finished in time: it runs to the end."""

    status = serializers.CharField(help_text='"accepted"')
    message = serializers.CharField()


class EngineUnavailableSerializer(serializers.Serializer[None]):
    """A 503 (with Retry-After): a service the answer needs is away."""

    code = serializers.CharField(help_text="engine_unavailable (or database_unavailable)")
    message = serializers.CharField()
    status = serializers.CharField(
        required=False,
        help_text='"unknown" when the command was sent but not answered in time: it may or '
        "may not have been carried out; absent, it was not",
    )


class PlacementUnavailableSerializer(EngineUnavailableSerializer):
    client_order_id = serializers.CharField(
        required=False, help_text="with status unknown: look the order up or retry by it"
    )


class CancelUnavailableSerializer(EngineUnavailableSerializer):
    order_id = serializers.IntegerField(
        required=False, help_text="with status unknown: the order to look up"
    )


class FillSerializer(serializers.ModelSerializer[Fill]):
    symbol = serializers.CharField(source="market.symbol")
    fee_asset = asset_code_field()
    price = AmountField()
    quantity = AmountField()
    quote_quantity = AmountField()
    fee = AmountField()

    class Meta:
        model = Fill
        fields = list(FillView.__struct_fields__)  # the one definition of the shape
        read_only_fields = fields

    def to_representation(self, instance: Fill) -> dict[str, Any]:
        return plain(FillView.of(instance, instance.market.symbol, instance.fee_asset.code))


class FillFilterSerializer(serializers.Serializer[None]):
    symbol = serializers.CharField(required=False)
    order_id = serializers.IntegerField(required=False, min_value=1, max_value=LARGEST_ID)


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
