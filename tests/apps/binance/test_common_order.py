"""The one-pass reader of the common signed order agrees with the general steps: it reads the
same order as ``SignedRequest.verify`` and ``order_new_checked`` or leaves the request to them,
and it takes every valid order sent the way the clients send it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

import pytest
from asgiref.sync import async_to_sync
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paperex.apps.accounts.models import User
from paperex.apps.apikeys.models import ApiKey
from paperex.apps.binance.common_order import common_order_read
from paperex.apps.binance.order_parameters import NewOrder
from paperex.apps.binance.signed import REFUSALS, SignedRequest
from paperex.apps.binance.trading_views import order_new, order_new_checked
from paperex.apps.trading.selectors.markets import order_entry_market
from paperex.domain import OrderType
from paperex.support.clock import wall_clock_ms
from tests.apps.binance.signing import SignedClient, hmac_hex

AMOUNTS = {
    OrderType.LIMIT: ("timeInForce", "quantity", "price"),
    OrderType.LIMIT_MAKER: ("quantity", "price"),
    OrderType.MARKET: ("quantity",),
    OrderType.STOP_LOSS: ("quantity", "stopPrice"),
    OrderType.TAKE_PROFIT: ("quantity", "stopPrice"),
    OrderType.STOP_LOSS_LIMIT: ("timeInForce", "quantity", "price", "stopPrice"),
    OrderType.TAKE_PROFIT_LIMIT: ("timeInForce", "quantity", "price", "stopPrice"),
}
VALUES = {
    "timeInForce": st.sampled_from(["GTC", "IOC", "FOK"]),
    "quantity": st.sampled_from(["0.5", "1", "0.00100000", "12"]),
    "price": st.sampled_from(["20000", "19999.99", "100.5"]),
    "stopPrice": st.sampled_from(["21000", "18000.5"]),
    "quoteOrderQty": st.sampled_from(["15000", "10.5"]),
}
OPTIONAL = {
    "newClientOrderId": st.sampled_from(["x-HNA2TXFJabc123", "bot_1", "a" * 36]),
    "newOrderRespType": st.sampled_from(["ACK", "RESULT", "FULL"]),
    "selfTradePreventionMode": st.sampled_from(["NONE", "EXPIRE_MAKER", "EXPIRE_BOTH"]),
    "recvWindow": st.sampled_from(["5000", "60000", "10000"]),
}
ODD_VALUES: dict[str, Sequence[str]] = {
    "symbol": ["btcusdt", "BTC/USDT", "DOGEUSDT", "X" * 21, ""],
    "side": ["buy", "HOLD", ""],
    "type": ["limit", "OCO", ""],
    "timeInForce": ["GTX", "gtc", ""],
    **dict.fromkeys(
        ("quantity", "price", "stopPrice", "quoteOrderQty"),
        ("1e3", "-1", "1.", ".5", "0.5.1", "1" * 21, "\u0661", ""),
    ),
    "newClientOrderId": ["a b", "x" * 37, "id\u00e9", "a.b", ""],
    "newOrderRespType": ["full", "NONE", ""],
    "selfTradePreventionMode": ["DECREMENT", "none", ""],
    "recvWindow": ["60001", "5000.1234", "-1", "abc", ""],
    "timestamp": ["abc", "1", "-5", ""],
    "signature": ["zz", ""],
    "icebergQty": ["1"],
}
"""Values the general steps refuse a new order for, by parameter (an unknown parameter too)."""
NAMES = st.sampled_from(list(ODD_VALUES))


@st.composite
def valid_orders(draw: st.DrawFn) -> dict[str, str]:
    """A valid new order of any type, its parameters in the clients' order (by name)."""
    order_type = draw(st.sampled_from(OrderType))
    amounts = AMOUNTS[order_type]
    if order_type is OrderType.MARKET and draw(st.booleans()):
        amounts = ("quoteOrderQty",)
    order = {
        "symbol": "BTCUSDT",
        "side": draw(st.sampled_from(["BUY", "SELL"])),
        "type": order_type.value,
        **{name: draw(VALUES[name]) for name in amounts},
    }
    for name, values in OPTIONAL.items():
        if draw(st.booleans()):
            order[name] = draw(values)
    return dict(sorted(order.items()))


def odd_values(name: str) -> st.SearchStrategy[str]:
    return st.sampled_from(ODD_VALUES[name])


SPOILS = st.lists(
    st.one_of(
        NAMES.flatmap(lambda name: st.tuples(st.just("set"), st.just(name), odd_values(name))),
        st.tuples(st.just("drop"), NAMES, st.just("")),
        st.tuples(st.just("repeat"), NAMES, st.just("")),
        st.sampled_from(
            [
                ("old", "", ""),
                ("ahead", "", ""),
                ("wrong signature", "", ""),
                ("signature first", "", ""),
                ("two signatures", "", ""),
                ("in the query", "", ""),
                ("encoded", "", ""),
            ]
        ),
    ),
    max_size=3,
)
"""What may be wrong with a request, or merely uncommon in its form."""


def request_of(
    order: dict[str, str], spoils: list[tuple[str, str, str]], signer: SignedClient
) -> tuple[bytes, bytes]:
    """(query string, body) of ``order`` signed by ``signer``, spoilt by ``spoils``."""
    spoilt = {name for kind, name, _ in spoils if kind in ("set", "drop", "repeat")}
    kinds = {kind for kind, _, _ in spoils}
    pairs = [(name, value) for name, value in order.items() if name not in spoilt]
    for kind, name, value in spoils:
        if kind == "set":
            pairs.append((name, value))
        elif kind == "repeat":
            pairs += [(name, order.get(name, "1"))] * 2
    now = wall_clock_ms()
    timestamp = now - 70_000 if "old" in kinds else now + 5_000 if "ahead" in kinds else now
    if not any(name == "timestamp" for name, _ in pairs) and "timestamp" not in spoilt:
        pairs.append(("timestamp", str(timestamp)))
    if "two signatures" in kinds:  # signed with the other one: -1101 for the general steps
        pairs.append(("signature", "ab12"))
    encode = quote if "encoded" in kinds else str
    text = "&".join(f"{name}={encode(value)}" for name, value in pairs)
    query = ""
    if "in the query" in kinds:
        query, _, text = text.partition("&")
    signature = hmac_hex(signer.secret, query + text)
    if "wrong signature" in kinds:
        signature = hmac_hex(signer.secret, text + "&")
    if "signature" not in spoilt:
        text = (
            f"signature={signature}&{text}"
            if "signature first" in kinds
            else f"{text}&signature={signature}"
        )
    return query.encode(), text.encode()


def general(signer: SignedClient, query: bytes, body: bytes) -> tuple[int, NewOrder] | Exception:
    """The user and order the general steps read from the request, or their refusal."""
    request = SignedRequest(
        order_new, api_key=signer.api_key, query_string=query, body=body, address="127.0.0.1"
    )
    try:
        _, parameters = request.verify()
        new_order = order_new_checked(parameters)
    except REFUSALS as refused:
        return refused
    assert request.user_id is not None
    return request.user_id, new_order


@pytest.fixture
def signer(seeded: None) -> SignedClient:
    async_to_sync(order_entry_market)(symbol="BTCUSDT")  # the markets held, as in a server
    return SignedClient.of(User.objects.create_user("bot"))


def _read(signer: SignedClient, query: bytes, body: bytes) -> NewOrder | None:
    key = ApiKey.objects.get(api_key=signer.api_key)
    return common_order_read(query_string=query, body=body, key=key, now_ms=wall_clock_ms())


@pytest.mark.django_db
@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(order=valid_orders(), spoils=SPOILS)
def test_the_common_reader_reads_what_the_general_steps_read_or_nothing(
    signer: SignedClient, order: dict[str, str], spoils: list[tuple[str, str, str]]
) -> None:
    query, body = request_of(order, spoils, signer)
    common = _read(signer, query, body)
    if common is not None:
        assert general(signer, query, body) == (signer.user.pk, common)


@pytest.mark.django_db
@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(order=valid_orders())
def test_the_common_reader_takes_every_valid_order_in_the_clients_form(
    signer: SignedClient, order: dict[str, str]
) -> None:
    query, body = request_of(order, [], signer)
    common = _read(signer, query, body)
    assert common is not None
    assert general(signer, query, body) == (signer.user.pk, common)


ANY_ORDER = {
    "newClientOrderId": "bot_1",
    "newOrderRespType": "RESULT",
    "price": "20000",
    "quantity": "0.5",
    "recvWindow": "10000",
    "selfTradePreventionMode": "EXPIRE_MAKER",
    "side": "BUY",
    "stopPrice": "21000",
    "symbol": "BTCUSDT",
    "timeInForce": "GTC",
    "type": "STOP_LOSS_LIMIT",
}
"""An order that sends every parameter but ``quoteOrderQty``."""


@pytest.mark.parametrize(
    ("name", "value"), [(name, value) for name, values in ODD_VALUES.items() for value in values]
)
def test_the_common_reader_leaves_each_refusal_to_the_general_steps(
    signer: SignedClient, name: str, value: str
) -> None:
    order = {**ANY_ORDER, name: value} if name != "quoteOrderQty" else ANY_ORDER
    query, body = request_of(
        order, [("set", name, value)] if name == "quoteOrderQty" else [], signer
    )
    assert isinstance(general(signer, query, body), Exception)
    assert _read(signer, query, body) is None


def test_a_body_that_does_not_decode_is_left_to_the_general_steps(signer: SignedClient) -> None:
    query, body = request_of({**ANY_ORDER, "newClientOrderId": "bot"}, [], signer)
    body = body.replace(b"bot", b"b\xffot")
    assert isinstance(general(signer, query, body), Exception)
    assert _read(signer, query, body) is None


def test_a_market_the_server_has_not_loaded_is_left_to_the_general_steps(
    signer: SignedClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        "paperex.apps.binance.common_order.order_entry_market_held", lambda **_: None
    )
    order: dict[str, Any] = {"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET"}
    query, body = request_of({**order, "quantity": "1"}, [], signer)
    assert _read(signer, query, body) is None
