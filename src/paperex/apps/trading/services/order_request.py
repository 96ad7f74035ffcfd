"""The body of an order request, as every transport takes it: the REST API, the ASGI order
lane and the user stream's ``create_order``.

``OrderPlaceSerializer`` is the reference: it accepts every valid form and words every error.
The order lane's fast parser (``paperex.apps.trading.api.order_body``) is held to its values.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from rest_framework import serializers

from paperex.apps.core.amounts import AmountField
from paperex.domain import OrderType, SelfTradePrevention, Side, TimeInForce

CLIENT_ORDER_ID = re.compile(r"[A-Za-z0-9._:/-]{1,36}")
SYMBOL_MAX_LENGTH = 32


def enum_values(enum: Any) -> list[str]:
    """The values of an enum's members, as a ChoiceField takes them."""
    return [member.value for member in enum]


def order_fields_problem(order_type: OrderType, fields: set[str]) -> tuple[str, str] | None:
    """(field, message) when ``fields`` (the amounts given) do not suit ``order_type``."""
    if order_type.has_limit_price and "price" not in fields:
        return "price", f"{order_type} orders need a price."
    if order_type.is_stop and "stop_price" not in fields:
        return "stop_price", f"{order_type} orders need a stop price."
    if order_type is OrderType.MARKET:
        if ("quantity" in fields) == ("quote_order_qty" in fields):
            return "quantity", "MARKET orders need exactly one of quantity and quote_order_qty."
    elif "quantity" not in fields:
        return "quantity", f"{order_type} orders need a quantity."
    return None


def client_order_id_field(**options: Any) -> serializers.RegexField:
    """A client order id: 1-36 letters, digits and ``. _ : / -``."""
    return serializers.RegexField(
        rf"^{CLIENT_ORDER_ID.pattern}$",
        error_messages={"invalid": "Use 1-36 letters, digits and . _ : / - only."},
        **options,
    )


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
    side = serializers.ChoiceField(choices=enum_values(Side))
    type = serializers.ChoiceField(choices=enum_values(OrderType), default=OrderType.LIMIT.value)
    time_in_force = serializers.ChoiceField(
        choices=enum_values(TimeInForce), default=TimeInForce.GTC.value
    )
    quantity = PositiveAmountField(required=False)
    price = PositiveAmountField(required=False)
    stop_price = PositiveAmountField(required=False)
    quote_order_qty = PositiveAmountField(required=False, help_text="MARKET: spend this quote.")
    client_order_id = client_order_id_field(
        required=False,
        help_text="your name for the order, unique among your orders; a retry with it never "
        "places the order twice (generated when absent)",
    )
    self_trade_prevention = serializers.ChoiceField(
        choices=enum_values(SelfTradePrevention), required=False
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        problem = order_fields_problem(OrderType(attrs["type"]), set(attrs))
        if problem is not None:
            field, message = problem
            raise serializers.ValidationError({field: message})
        return attrs
