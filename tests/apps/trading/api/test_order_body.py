"""The fast order-body parser agrees with the serializer: it gives the same values or leaves the
body to the serializer, and it takes every valid order written plainly."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from paperex.apps.trading.api.order_body import AMOUNT_FIELDS, fast_order_values
from paperex.apps.trading.services.order_request import OrderPlaceSerializer
from paperex.domain import OrderType

PLAIN_AMOUNTS = st.sampled_from(["100.5", "0.25", "99", "1", "0.00000001", "123456.789"])
AMOUNTS = st.one_of(
    PLAIN_AMOUNTS.map("-{}".format),  # negative, in the form the fast parser reads
    st.sampled_from(["1", "0.01", "0", "0.000", "-1", "1e3", " 1", "1 ", "1.", ".5", "\uff11", ""]),
    st.decimals(min_value=-(10**20), max_value=10**20, places=14, allow_nan=False).map(str),
    st.integers(min_value=-5, max_value=10**19),
    st.floats(allow_nan=False, allow_infinity=False),
    st.none(),
)
WORDS = st.sampled_from(
    ["BUY", "SELL", "buy", "LIMIT", "MARKET", "STOP_LOSS", "STOP_LOSS_LIMIT", "TAKE_PROFIT",
     "TAKE_PROFIT_LIMIT", "LIMIT_MAKER", "GTC", "IOC", "FOK", "NONE", "EXPIRE_TAKER",
     "EXPIRE_MAKER", "EXPIRE_BOTH", "", " GTC"]
)  # fmt: skip
FIELDS: dict[str, Any] = {
    "symbol": st.one_of(st.sampled_from(["BTCUSDT", " btcusdt", "X" * 33, ""]), st.text()),
    "side": WORDS,
    "type": WORDS,
    "time_in_force": WORDS,
    "quantity": AMOUNTS,
    "price": AMOUNTS,
    "stop_price": AMOUNTS,
    "quote_order_qty": AMOUNTS,
    "client_order_id": st.one_of(st.sampled_from(["a-1", "a b", "x" * 37, "id\n"]), st.text()),
    "self_trade_prevention": WORDS,
    "extra": st.integers(),
}


COMMON = st.fixed_dictionaries(
    {"symbol": st.just("BTCUSDT"), "side": st.sampled_from(["BUY", "SELL"])},
    optional={
        "client_order_id": st.just("bot-1"),
        "time_in_force": st.sampled_from(["GTC", "IOC", "FOK"]),
        "self_trade_prevention": st.just("EXPIRE_MAKER"),
    },
)


@st.composite
def valid_orders(draw: st.DrawFn) -> dict[str, Any]:
    """A valid order of any type: every amount (MARKET: the quantity or the quote amount)."""
    order_type = draw(st.sampled_from(OrderType))
    body = {**draw(COMMON), "type": order_type.value}
    if order_type is OrderType.MARKET and draw(st.booleans()):
        return {**body, "quote_order_qty": draw(PLAIN_AMOUNTS)}
    amounts = st.fixed_dictionaries(
        dict.fromkeys(["price", "stop_price", "quantity"], PLAIN_AMOUNTS)
    )
    return {**body, **draw(amounts)}


@st.composite
def bodies(draw: st.DrawFn) -> dict[str, Any]:
    """Mostly a valid order with a field or two changed or removed, sometimes anything."""
    if draw(st.booleans()):
        return draw(st.fixed_dictionaries({}, optional=FIELDS))
    body = draw(valid_orders())
    for name in draw(st.lists(st.sampled_from(sorted(FIELDS)), max_size=2)):
        body[name] = draw(FIELDS[name])
    for name in draw(st.lists(st.sampled_from(sorted(body)), max_size=1)):
        body.pop(name, None)
    return body


def exactly(values: dict[str, Any] | None) -> dict[str, str] | None:
    """Values as text, so that 1.5 and 1.50 differ (they print differently in messages)."""
    return None if values is None else {name: str(value) for name, value in values.items()}


def serializer_values(body: dict[str, Any]) -> dict[str, str] | None:
    serializer = OrderPlaceSerializer(data=body)
    return exactly(dict(serializer.validated_data)) if serializer.is_valid() else None


def plain(values: dict[str, str]) -> bytes:
    """The plain body of an order the serializer accepted (its values, amounts in fixed point)."""
    return json.dumps(
        {name: format(Decimal(text), "f") if name in AMOUNT_FIELDS else text
         for name, text in values.items()}
    ).encode()  # fmt: skip


@settings(max_examples=1000, deadline=None)
@given(bodies())
def test_the_fast_parser_gives_the_serializers_values_or_defers_and_takes_every_plain_order(
    body: dict[str, Any],
) -> None:
    reference = serializer_values(body)
    fast = exactly(fast_order_values(json.dumps(body).encode()))
    # Both accept with the same values, or the fast parser leaves the body to the serializer
    # (None): so where the serializer refuses, the fast parser does too.
    assert fast is None or fast == reference
    if reference is not None and reference["symbol"].isascii() and reference["symbol"].isalnum():
        # An accepted order written plainly (symbols of letters and digits, as every market's
        # is) is one the fast path takes, to the same values.
        assert exactly(fast_order_values(plain(reference))) == reference


def test_common_orders_take_the_fast_path() -> None:
    bodies = [
        {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "price": "100.5", "quantity": "1"},
        {"symbol": "BTCUSDT", "side": "SELL", "type": "MARKET", "quote_order_qty": "25"},
        {
            "symbol": "ETHUSDT",
            "side": "SELL",
            "type": "STOP_LOSS_LIMIT",
            "time_in_force": "IOC",
            "price": "1800",
            "stop_price": "1810",
            "quantity": "0.25",
            "client_order_id": "bot-7:42",
            "self_trade_prevention": "EXPIRE_BOTH",
        },
    ]
    for body in bodies:
        fast = fast_order_values(json.dumps(body).encode())
        assert fast is not None, body
        assert exactly(fast) == serializer_values(body)


def test_bodies_with_errors_are_left_to_the_serializer() -> None:
    for body in [
        b"not json",
        b'{"symbol": "BTCUSDT", "side": "BUY", "price": "1"}',  # LIMIT without quantity
        b'{"symbol": "BTCUSDT", "side": "BUY", "price": "0", "quantity": "1"}',
        b'{"symbol": "BTCUSDT", "side": "BUY", "price": null, "quantity": "1"}',
        b'{"symbol": "BTCUSDT", "side": "HOLD", "price": "1", "quantity": "1"}',
    ]:
        assert fast_order_values(body) is None
