"""The order lane's fast parser of ``POST /api/orders/`` bodies.

``OrderPlaceSerializer`` (``services.order_request``) is the reference: it accepts every valid
form and words every error. ``fast_order_values`` reads the common form of a valid order
(amounts as decimal strings, no nulls, no unknown fields) about thirty times faster, and answers
None for anything else, which then goes to the serializer. So it never refuses an order and
never writes an error message; where it accepts, it gives the serializer's values (a property
test holds it to that).
"""

from __future__ import annotations

import re
from decimal import Context, Decimal
from typing import Any

import msgspec

from paperex.apps.core.amounts import AMOUNT_DIGITS, AMOUNT_PLACES
from paperex.apps.trading.services.order_request import (
    CLIENT_ORDER_ID,
    SYMBOL_MAX_LENGTH,
    order_fields_problem,
)
from paperex.domain import OrderType, SelfTradePrevention, Side, TimeInForce

_SYMBOL = re.compile(rf"[A-Za-z0-9]{{1,{SYMBOL_MAX_LENGTH}}}")
"""Symbols the fast parser takes as they are (the serializer also trims and refuses NULs)."""
_AMOUNT_CONTEXT = Context(prec=AMOUNT_DIGITS)
_AMOUNT_QUANTUM = Decimal(1).scaleb(-AMOUNT_PLACES)
"""Amounts carry AMOUNT_PLACES decimals, as DRF's DecimalField quantizes them."""
_AMOUNT = re.compile(rf"[0-9]{{1,{AMOUNT_DIGITS - AMOUNT_PLACES}}}(\.[0-9]{{1,{AMOUNT_PLACES}}})?")


class _Body(msgspec.Struct, forbid_unknown_fields=True):
    symbol: str
    side: Side
    type: OrderType = OrderType.LIMIT
    time_in_force: TimeInForce = TimeInForce.GTC
    quantity: str | msgspec.UnsetType = msgspec.UNSET
    price: str | msgspec.UnsetType = msgspec.UNSET
    stop_price: str | msgspec.UnsetType = msgspec.UNSET
    quote_order_qty: str | msgspec.UnsetType = msgspec.UNSET
    client_order_id: str | msgspec.UnsetType = msgspec.UNSET
    self_trade_prevention: SelfTradePrevention | msgspec.UnsetType = msgspec.UNSET


_decode = msgspec.json.Decoder(_Body).decode
AMOUNT_FIELDS = ("quantity", "price", "stop_price", "quote_order_qty")


def fast_order_values(body: bytes) -> dict[str, Any] | None:
    """The serializer's ``validated_data`` for a plainly valid order body, else None."""
    try:
        order = _decode(body)
    except msgspec.DecodeError:
        return None
    symbol = order.symbol
    if not _SYMBOL.fullmatch(symbol):
        return None
    values: dict[str, Any] = {
        "symbol": symbol,
        "side": order.side.value,
        "type": order.type.value,
        "time_in_force": order.time_in_force.value,
    }
    for name in AMOUNT_FIELDS:
        text = getattr(order, name)
        if text is msgspec.UNSET:
            continue
        if not _AMOUNT.fullmatch(text):
            return None
        amount = Decimal(text).quantize(_AMOUNT_QUANTUM, context=_AMOUNT_CONTEXT)
        if not amount:
            return None
        values[name] = amount
    if order.client_order_id is not msgspec.UNSET:
        if not CLIENT_ORDER_ID.fullmatch(order.client_order_id):
            return None
        values["client_order_id"] = order.client_order_id
    if order.self_trade_prevention is not msgspec.UNSET:
        values["self_trade_prevention"] = order.self_trade_prevention.value
    if order_fields_problem(order.type, set(values)) is not None:
        return None
    return values
