"""``POST /api/v3/order`` through the ASGI order lane answers as the Django view does: the same
status, body (up to the ids and times of a different order) and Binance headers, for orders
and for refusals."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import httpx
import pytest
from asgiref.sync import async_to_sync
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from paperex.apps.accounts.models import User
from paperex.apps.apikeys.key_cache import verified_keys
from paperex.apps.apikeys.models import ApiKey
from paperex.apps.apikeys.selectors import apikeys_active
from paperex.apps.apikeys.services import apikey_revoke
from paperex.apps.binance.order_lane import binance_order_lane, takes_binance_order_lane
from paperex.apps.binance.signed import SignedRequest, signed_answer
from paperex.apps.binance.trading_views import order_new
from paperex.apps.binance.weights import user_key, weight_use
from paperex.apps.trading.models import Order
from paperex.config.asgi import application
from paperex.support.clock import wall_clock_ms
from paperex.support.rate_window import Rate
from tests.apps.binance.signing import FORM, LIMIT_BUY, SignedClient
from tests.support.ledger import fund_btc

Trader = Callable[[str], tuple[User, APIClient]]
pytestmark = pytest.mark.usefixtures("engine_host")

MARKET_BUY = {"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quoteOrderQty": "15000"}
PER_ORDER = {"orderId", "clientOrderId", "transactTime", "workingTime", "tradeId"}
"""The fields that name one order (or fill) and its time: they differ between two orders."""
HEADERS = (
    "x-mbx-used-weight-1m",
    "x-mbx-order-count-10s",
    "x-mbx-order-count-1d",
    "retry-after",
    "content-type",
)


def through_lane(
    app: Any, signer: SignedClient, parameters: dict[str, Any], **options: Any
) -> httpx.Response:
    """The signed POST /api/v3/order sent to ``app`` over ASGI."""
    query, body, headers = signer.signed_parts("POST", parameters, **options)

    async def send() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as api:
            return await api.post(
                "/api/v3/order" + (f"?{query}" if query else ""),
                content=body,
                headers={**headers, "Content-Type": FORM},
            )

    return async_to_sync(send)()


def database_away(**_: object) -> None:
    """In place of the view's key read (``apikey_active_get``) and the lane's
    (``apikeys_active``)."""
    raise OperationalError("connection refused")


def without_per_order(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: without_per_order(v) for k, v in value.items() if k not in PER_ORDER}
    if isinstance(value, list):
        return [without_per_order(item) for item in value]
    return value


def answer(status: int, body: Any, headers: Any) -> tuple[int, Any, dict[str, str]]:
    return (
        status,
        without_per_order(body),
        {name: headers[name] for name in HEADERS if name in headers},
    )


def lane_answer(response: httpx.Response) -> tuple[int, Any, dict[str, str]]:
    return answer(response.status_code, response.json(), response.headers)


def view_answer(response: Any) -> tuple[int, Any, dict[str, str]]:
    return answer(
        response.status_code, response.json(), {k.lower(): v for k, v in response.items()}
    )


@pytest.fixture
def pair(make_trader: Trader) -> tuple[SignedClient, SignedClient]:
    """Two traders alike: one orders through the lane, the other through Django."""
    return SignedClient.of(make_trader("lane")[0]), SignedClient.of(make_trader("view")[0])


def test_the_lane_takes_only_new_orders() -> None:
    assert takes_binance_order_lane({"method": "POST", "path": "/api/v3/order"})
    assert not takes_binance_order_lane({"method": "GET", "path": "/api/v3/order"})
    assert not takes_binance_order_lane({"method": "POST", "path": "/api/v3/order/test"})


def test_a_full_market_order_answers_as_the_view(
    pair: tuple[SignedClient, SignedClient], make_trader: Trader
) -> None:
    seller = SignedClient.of(make_trader("seller")[0])
    fund_btc(seller.user, Decimal(2))
    ask = {**LIMIT_BUY, "side": "SELL", "price": "30000", "quantity": "1"}
    assert seller.post("order", ask).status_code == 200
    lane, view = pair
    through = through_lane(application, lane, MARKET_BUY)
    direct = view.post("order", MARKET_BUY)
    assert lane_answer(through) == view_answer(direct)
    body = through.json()
    assert (body["status"], body["executedQty"], len(body["fills"])) == ("FILLED", "0.50000000", 1)
    assert through.headers["x-mbx-order-count-10s"] == "1"


def test_an_ack_limit_order_answers_as_the_view(pair: tuple[SignedClient, SignedClient]) -> None:
    lane, view = pair
    order = {**LIMIT_BUY, "newOrderRespType": "ACK"}
    through = through_lane(application, lane, order)
    direct = view.post("order", order)
    assert lane_answer(through) == view_answer(direct)
    assert set(through.json()) == {
        "symbol",
        "orderId",
        "orderListId",
        "clientOrderId",
        "transactTime",
    }
    assert through.headers["x-mbx-used-weight-1m"] == "1"


def test_a_bad_signature_answers_as_the_view(pair: tuple[SignedClient, SignedClient]) -> None:
    lane, view = pair
    through = through_lane(application, lane, LIMIT_BUY, signature="0" * 64)
    direct = view.post("order", LIMIT_BUY, signature="0" * 64)
    expected = {"code": -1022, "msg": "Signature for this request is not valid."}
    assert (through.status_code, through.json()) == (400, expected)
    assert (direct.status_code, direct.json()) == (400, expected)
    # both count against the one test address: the view's request comes second
    assert (through.headers["x-mbx-used-weight-1m"], direct["X-MBX-USED-WEIGHT-1M"]) == ("1", "2")
    assert "x-mbx-order-count-10s" not in through.headers


def test_a_key_revoked_since_the_last_order_answers_as_the_view(
    pair: tuple[SignedClient, SignedClient],
) -> None:
    lane, view = pair
    assert through_lane(application, lane, LIMIT_BUY).status_code == 200
    for signer in pair:
        assert apikey_revoke(user_id=signer.user.pk, api_key_id=signer.user.api_keys.get().pk)
    through = through_lane(application, lane, LIMIT_BUY)
    direct = view.post("order", LIMIT_BUY)
    expected = {"code": -2015, "msg": "Invalid API-key, IP, or permissions for action."}
    assert (through.status_code, through.json()) == (401, expected)
    assert (direct.status_code, direct.json()) == (401, expected)
    # both count against the one test address: the view's request comes second
    assert (through.headers["x-mbx-used-weight-1m"], direct["X-MBX-USED-WEIGHT-1M"]) == ("1", "2")


@pytest.mark.parametrize("key", ["unknown", "unreadable (database away)"])
def test_a_repeated_signature_is_refused_before_the_key_is_read_as_by_the_view(
    pair: tuple[SignedClient, SignedClient], monkeypatch: pytest.MonkeyPatch, key: str
) -> None:
    """The lane reads the key before ``verify``, which raises what the read found where the
    view reads it: after the signature's repetition (-1101)."""
    if key == "unknown":
        options = {"api_key": "A" * 64}
    else:
        options = {}
        monkeypatch.setattr("paperex.apps.apikeys.signatures.apikey_active_get", database_away)
        monkeypatch.setattr("paperex.apps.apikeys.key_reads.apikeys_active", database_away)
    lane, view = pair
    order = {**LIMIT_BUY, "signature": "0" * 64}
    through = through_lane(application, lane, order, **options)
    direct = view.post("order", order, **options)
    expected = {"code": -1101, "msg": "Duplicate values for a parameter detected."}
    assert (through.status_code, through.json()) == (400, expected)
    assert (direct.status_code, direct.json()) == (400, expected)


def test_a_filter_failure_answers_as_the_view(pair: tuple[SignedClient, SignedClient]) -> None:
    lane, view = pair
    order = {**LIMIT_BUY, "price": "20000.001"}
    through = through_lane(application, lane, order)
    assert lane_answer(through) == view_answer(view.post("order", order))
    assert (through.status_code, through.json()) == (
        400,
        {"code": -1013, "msg": "Filter failure: PRICE_FILTER"},
    )
    assert through.headers["x-mbx-order-count-10s"] == "0"


def test_past_the_weight_limit_answers_as_the_view(
    pair: tuple[SignedClient, SignedClient], settings: Any
) -> None:
    settings.PAPEREX_RATE_LIMITS = {**settings.PAPEREX_RATE_LIMITS, "binance_weight": Rate(30, 60)}
    lane, view = pair
    for signer in pair:
        weight_use(user_key(signer.user.pk), 30)
    through = through_lane(binance_order_lane(), lane, LIMIT_BUY)
    direct = view.post("order", LIMIT_BUY)
    status, body, headers = lane_answer(through)
    assert (status, body, headers.pop("x-mbx-used-weight-1m")) == (
        429,
        {
            "code": -1003,
            "msg": "Too much request weight used; current limit is 30 request weight per "
            "MINUTE. Please use WebSocket Streams for live updates to avoid polling the API.",
        },
        "30",
    )
    assert 1 <= int(headers.pop("retry-after")) <= 120
    assert 1 <= int(direct["Retry-After"]) <= 120
    assert (direct.status_code, direct.json(), direct["X-MBX-USED-WEIGHT-1M"]) == (429, body, "30")


def test_a_database_away_answers_503_as_the_view(
    pair: tuple[SignedClient, SignedClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("paperex.apps.apikeys.signatures.apikey_active_get", database_away)
    monkeypatch.setattr("paperex.apps.apikeys.key_reads.apikeys_active", database_away)
    lane, view = pair
    through = through_lane(application, lane, LIMIT_BUY)
    direct = view.post("order", LIMIT_BUY)
    expected = {
        "code": -1001,
        "msg": "Internal error; unable to process your request. Please try again.",
    }
    assert (through.status_code, through.json(), through.headers["retry-after"]) == (
        503,
        expected,
        "1",
    )
    assert (direct.status_code, direct.json(), direct["Retry-After"]) == (503, expected, "1")


def test_a_resting_full_order_costs_one_query_on_the_request_side(
    pair: tuple[SignedClient, SignedClient],
) -> None:
    """The key (read for every request); the symbol is checked against the order service's
    cached markets and the answer made from the engine's reply (no fills for an order that
    executed nothing); the engine's own writes run on its connection."""
    lane, _ = pair

    def resting_order() -> SignedRequest:
        query, body, headers = lane.signed_parts("POST", LIMIT_BUY)
        return SignedRequest(
            order_new,
            api_key=headers["X-MBX-APIKEY"],
            query_string=query.encode(),
            body=body.encode(),
            address="127.0.0.1",
        )

    signed_answer(resting_order())  # the first order of a process loads the cached markets
    with CaptureQueriesContext(connection) as queries:
        answer = signed_answer(resting_order())
    assert (answer.status, answer.body["status"], answer.body["fills"]) == (200, "NEW", [])
    assert len(queries) == 1, [query["sql"] for query in queries]


def test_a_kept_key_signs_the_next_orders_without_a_read(
    pair: tuple[SignedClient, SignedClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    reads: list[list[str]] = []

    def counted(*, api_keys: list[str]) -> Any:
        reads.append(api_keys)
        return apikeys_active(api_keys=api_keys)

    monkeypatch.setattr("paperex.apps.apikeys.key_reads.apikeys_active", counted)
    lane, _ = pair
    answers = [through_lane(application, lane, LIMIT_BUY) for _ in range(3)]
    assert [answer.status_code for answer in answers] == [200, 200, 200]
    assert reads == [[lane.api_key]]


def test_a_kept_key_revoked_elsewhere_places_nothing(
    pair: tuple[SignedClient, SignedClient],
) -> None:
    """Revoked in the database as another process would (nothing here hears of it): the engine
    refuses the order that names the kept key, -2015 as the view answers it."""
    lane, _ = pair
    assert through_lane(application, lane, LIMIT_BUY).status_code == 200
    ApiKey.objects.filter(api_key=lane.api_key).update(revoked_at=timezone.now())
    refused = through_lane(application, lane, LIMIT_BUY)
    assert (refused.status_code, refused.json()["code"]) == (401, -2015)
    assert "x-mbx-order-count-10s" not in refused.headers
    assert Order.objects.filter(user=lane.user).count() == 1
    # Forgotten: the next request reads the key again, and is refused before any placement.
    assert verified_keys.get(lane.api_key) is None
    assert through_lane(application, lane, LIMIT_BUY).json()["code"] == -2015


def test_a_kept_key_revoked_since_is_refused_first_whatever_else_is_wrong(
    pair: tuple[SignedClient, SignedClient],
) -> None:
    """The view reads the key first: a revoked key's request with an old timestamp is -2015,
    not -1021, even though the lane checked the timestamp with a key from memory."""
    lane, view = pair
    assert through_lane(application, lane, LIMIT_BUY).status_code == 200
    ApiKey.objects.filter(api_key=lane.api_key).update(revoked_at=timezone.now())
    stale = wall_clock_ms() - 60_000
    through = through_lane(application, lane, LIMIT_BUY, timestamp=stale)
    direct = view.post("order", LIMIT_BUY)
    assert (through.status_code, through.json()["code"]) == (401, -2015)
    assert verified_keys.get(lane.api_key) is None
    assert direct.status_code == 200  # the view's own key is active
