"""The signed new order that bots send, recognised in one pass over its body.

Python-binance, ccxt and Binance's connector send ``POST /api/v3/order`` as a form body, each
parameter once, the signature last, no query string. For such a request ``common_order_read``
reads the order and checks the signature in one pass, where the general steps
(``SignedRequest.verify`` then ``order_new_checked``) take one step per parameter and rule:
those steps cost the signed order lane more than placing the order does.

It answers only for a request the general steps accept, with the order they would read
(``tests/apps/binance/test_common_order.py`` holds it to that); for anything else it answers
None and the general steps take the request, and word its refusal.
"""

from __future__ import annotations

from decimal import Decimal

from paperex.apps.apikeys.models import ApiKey
from paperex.apps.apikeys.signatures import (
    SignedRequestError,
    key_signature_valid,
    timestamp_check,
)
from paperex.apps.binance.order_parameters import (
    CLIENT_ORDER_ID_PATTERN,
    ENUM_MEMBERS,
    MANDATORY,
    ORDER_AMOUNTS,
    NewOrder,
)
from paperex.apps.binance.parameters import DECIMAL_PATTERN, SYMBOL_PATTERN
from paperex.apps.binance.trading_wire import ResponseType, default_response_type
from paperex.apps.trading.selectors.markets import order_entry_market_held
from paperex.domain import OrderType, SelfTradePrevention, Side, TimeInForce

_SIGNATURE = "&signature="
_NAMES = frozenset(
    {
        "symbol",
        "side",
        "type",
        *ORDER_AMOUNTS,
        "newClientOrderId",
        "newOrderRespType",
        "selfTradePreventionMode",
        "timestamp",
        "recvWindow",
        "signature",
    }
)
"""What a new order may send here; another parameter (-1104 for the general steps) goes there."""
_AMOUNTS_SENT = {
    **{order_type: (frozenset(names),) for order_type, names in MANDATORY.items()},
    OrderType.MARKET: (frozenset({"quantity"}), frozenset({"quoteOrderQty"})),
}
"""The order amounts each type may be sent with (``amounts_check``'s rule, as sets)."""
_SIDES = ENUM_MEMBERS[Side]
_TYPES = ENUM_MEMBERS[OrderType]
_TIMES_IN_FORCE = ENUM_MEMBERS[TimeInForce]
_RESPONSE_TYPES = ENUM_MEMBERS[ResponseType]
_SELF_TRADE_PREVENTION = ENUM_MEMBERS[SelfTradePrevention]


def common_order_read(
    *, query_string: bytes, body: bytes, key: ApiKey, now_ms: int
) -> NewOrder | None:
    """The new order a request signed with ``key`` (active, found by its ``X-MBX-APIKEY``)
    asks for, when it has the common form and the general steps accept it; else None."""
    if query_string or not body.isascii():  # a legal order is ASCII; others may not decode
        return None
    text = body.decode()
    values: dict[str, str] = {}
    for item in text.split("&"):
        name, _, value = item.partition("=")
        if name not in _NAMES or name in values:
            return None
        values[name] = value
    signature = values.get("signature")
    if signature is None or not text.endswith(_SIGNATURE + signature):
        return None
    payload = body[: -len(_SIGNATURE) - len(signature)]
    try:
        timestamp_check(
            timestamp=values.get("timestamp"), recv_window=values.get("recvWindow"), now_ms=now_ms
        )
        if not key_signature_valid(key=key, payload=payload, signature=signature):
            return None
    except SignedRequestError:
        return None
    return _new_order(values)


def _new_order(values: dict[str, str]) -> NewOrder | None:
    symbol = values.get("symbol")
    side = _SIDES.get(values.get("side", ""))
    order_type = _TYPES.get(values.get("type", ""))
    if symbol is None or side is None or order_type is None or not SYMBOL_PATTERN.match(symbol):
        return None
    if frozenset(values).intersection(ORDER_AMOUNTS) not in _AMOUNTS_SENT[order_type]:
        return None
    time_in_force = _TIMES_IN_FORCE.get(values.get("timeInForce", "GTC"))
    amounts = [values.get(name) for name in ("quantity", "price", "stopPrice", "quoteOrderQty")]
    if time_in_force is None or any(
        a is not None and not DECIMAL_PATTERN.match(a) for a in amounts
    ):
        return None
    client_order_id = values.get("newClientOrderId")
    if client_order_id is not None and not CLIENT_ORDER_ID_PATTERN.match(client_order_id):
        return None
    response_type = _RESPONSE_TYPES.get(values.get("newOrderRespType", ""))
    if response_type is None:
        if "newOrderRespType" in values:
            return None
        response_type = default_response_type(order_type)
    self_trade_prevention = _SELF_TRADE_PREVENTION.get(values.get("selfTradePreventionMode", ""))
    if self_trade_prevention is None and "selfTradePreventionMode" in values:
        return None
    if order_entry_market_held(symbol=symbol) is None:
        return None  # the general steps ask the database
    quantity, price, stop_price, quote_amount = (None if a is None else Decimal(a) for a in amounts)
    return NewOrder(
        symbol=symbol,
        side=side,
        order_type=order_type,
        time_in_force=time_in_force,
        quantity=quantity,
        price=price,
        stop_price=stop_price,
        quote_amount=quote_amount,
        client_order_id=client_order_id,
        self_trade_prevention=self_trade_prevention,
        response_type=response_type,
    )
