"""``/ws-api/v3``: Binance's request and response frames, each method's result the REST
answer's, the signature checks REST makes (refusals change nothing), and sessions."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.test import Client
from django.utils import timezone

from paperex.apps.apikeys.models import ApiKey
from paperex.apps.trading.host.host import EngineHost
from paperex.apps.trading.models import Order
from paperex.support.clock import wall_clock_ms
from paperex.support.rate_window import Rate
from tests.apps.binance.signing import LIMIT_BUY, SignedClient
from tests.apps.binance.ws_api_client import Key, WsApi, ed25519_key, hmac_key
from tests.support.trading import register

pytestmark = pytest.mark.django_db(transaction=True)


async def rest(path: str, **query: Any) -> Any:
    response = await sync_to_async(Client().get)(f"/api/v3/{path}", query)
    assert response.status_code == 200, response.content
    return response.json()


async def signed_rest(key: Key, method: str, path: str, parameters: dict[str, Any]) -> Any:
    assert key.secret is not None
    client = SignedClient(key.user, key.api_key, key.secret)
    response = await sync_to_async(client.request)(method, path, parameters)
    assert response.status_code == 200, response.content
    return response.json()


@pytest.fixture
async def alice(host: EngineHost) -> Key:
    return await hmac_key(await register("alice"))


async def orders_of(key: Key) -> list[Order]:
    return [order async for order in Order.objects.filter(user=key.user).order_by("id")]


# The envelope ---------------------------------------------------------------------------


async def test_requests_are_answered_with_their_id_status_result_and_rate_limits(
    host: EngineHost,
) -> None:
    api = await WsApi.open()
    await api.send({"id": "a-1", "method": "ping"})
    pong = await api.next_response()
    assert (pong["id"], pong["status"], pong["result"]) == ("a-1", 200, {})
    [weight] = pong["rateLimits"]
    assert weight == {
        "rateLimitType": "REQUEST_WEIGHT",
        "interval": "MINUTE",
        "intervalNum": 1,
        "limit": 6000,
        "count": 3,  # 2 for connecting, 1 for ping
    }
    await api.send({"id": None, "method": "v3/time", "params": {"returnRateLimits": False}})
    answer = await api.next_response()
    assert set(answer) == {"id", "status", "result"}
    assert answer["id"] is None
    assert abs(answer["result"]["serverTime"] - wall_clock_ms()) < 5000
    await api.send({"id": 7, "method": "ping"})
    assert (await api.next_response())["rateLimits"][0]["count"] == 5
    await api.close()

    quiet = await WsApi.open("?returnRateLimits=false")
    assert "rateLimits" not in await quiet.call("ping")
    assert "rateLimits" in await quiet.call("ping", {"returnRateLimits": True})
    await quiet.close()


@pytest.mark.parametrize(
    ("frame", "answer_id", "code", "message"),
    [
        ("{not json", None, -1102, "Mandatory parameter 'id'"),
        ("[1, 2]", None, -1102, "Mandatory parameter 'id'"),
        ('{"id": {"a": 1}, "method": "ping"}', None, -1102, "Mandatory parameter 'id'"),
        ('{"id": 3}', 3, -1102, "Mandatory parameter 'method'"),
        ('{"id": 4, "method": "ping", "params": [1]}', 4, -1102, "Mandatory parameter 'params'"),
        ('{"id": 5, "method": "order.teleport"}', 5, -1020, "This operation is not supported."),
        (
            '{"id": 6, "method": "time", "params": {"symbol": "BTCUSDT"}}',
            6,
            -1104,
            "Not all sent parameters were read; read '0' parameter(s) but was sent '1'.",
        ),
        ('{"id": 8, "method": "depth", "params": {"symbol": "NOPE"}}', 8, -1121, "Invalid symbol."),
        (
            '{"id": 9, "method": "depth", "params": {"symbol": "BTCUSDT", "limit": "x"}}',
            9,
            -1100,
            "Illegal characters found in parameter 'limit'",
        ),
    ],
)
async def test_malformed_requests_get_binance_errors(
    host: EngineHost, frame: str, answer_id: Any, code: int, message: str
) -> None:
    api = await WsApi.open()
    await api.socket.send_to(text_data=frame)
    answer = await api.next_response()
    assert (answer["id"], answer["status"], answer["error"]["code"]) == (answer_id, 400, code)
    assert answer["error"]["msg"].startswith(message)
    assert (await api.call("ping"))["status"] == 200  # the connection goes on
    await api.close()


async def test_market_data_results_are_the_rest_answers(host: EngineHost) -> None:
    api = await WsApi.open()
    info = await api.result("exchangeInfo", {"symbol": "BTCUSDT"})
    rest_info = await rest("exchangeInfo", symbol="BTCUSDT")
    assert {**info, "serverTime": 0} == {**rest_info, "serverTime": 0}
    assert [market["symbol"] for market in info["symbols"]] == ["BTCUSDT"]
    for method, path, params in [
        ("depth", "depth", {"symbol": "BTCUSDT", "limit": 5}),
        ("klines", "klines", {"symbol": "BTCUSDT", "interval": "1m", "limit": 3}),
        ("ticker.price", "ticker/price", {"symbol": "BTCUSDT"}),
        ("ticker.book", "ticker/bookTicker", {"symbol": "BTCUSDT"}),
    ]:
        assert await api.result(method, params) == await rest(path, **params), method
    both = await api.result("ticker.price", {"symbols": ["BTCUSDT", "ETHUSDT"]})
    assert [entry["symbol"] for entry in both] == ["BTCUSDT", "ETHUSDT"]
    depth = await api.call("depth", {"symbol": "BTCUSDT", "limit": 500})
    assert depth["rateLimits"][0]["count"] == 2 + 20 + 5 + 2 + 2 + 2 + 4 + 25
    await api.close()


# Signed methods ---------------------------------------------------------------------------


async def test_orders_placed_queried_and_canceled_are_the_rest_answers(alice: Key) -> None:
    api = await WsApi.open()
    placed = await api.call("order.place", alice.signed({**LIMIT_BUY, "newClientOrderId": "ws-1"}))
    assert placed["status"] == 200, placed
    [stored] = await orders_of(alice)
    order = placed["result"]
    assert (order["orderId"], order["clientOrderId"], order["status"]) == (stored.id, "ws-1", "NEW")
    assert (order["price"], order["origQty"], order["fills"]) == (
        "20000.00000000",
        "0.50000000",
        [],
    )
    assert (stored.price, stored.quantity) == (Decimal(20000), Decimal("0.5"))
    orders_10s, orders_day, weight = placed["rateLimits"]
    assert (orders_10s["rateLimitType"], orders_10s["interval"], orders_10s["intervalNum"]) == (
        "ORDERS",
        "SECOND",
        10,
    )
    assert (orders_10s["count"], orders_day["count"], orders_day["interval"]) == (1, 1, "DAY")
    assert weight["rateLimitType"] == "REQUEST_WEIGHT"

    reference = {"symbol": "BTCUSDT", "orderId": stored.id}
    status = await api.result("order.status", alice.signed(reference))
    assert status == await signed_rest(alice, "GET", "order", reference)
    assert await api.result("openOrders.status", alice.signed({"symbol": "BTCUSDT"})) == [status]
    assert await api.result("allOrders", alice.signed({"symbol": "BTCUSDT"})) == [status]
    account = await api.result("account.status", alice.signed({"omitZeroBalances": True}))
    rest_account = await signed_rest(alice, "GET", "account", {"omitZeroBalances": "true"})
    assert {**account, "updateTime": 0} == {**rest_account, "updateTime": 0}
    assert {"asset": "USDT", "free": "90000.00000000", "locked": "10000.00000000"} in account[
        "balances"
    ]
    commission = await api.result("account.commission", alice.signed({"symbol": "BTCUSDT"}))
    assert commission == await signed_rest(
        alice, "GET", "account/commission", {"symbol": "BTCUSDT"}
    )
    assert await api.result("order.test", alice.signed(LIMIT_BUY)) == {}

    canceled = await api.result("order.cancel", alice.signed(reference))
    assert (canceled["orderId"], canceled["status"], canceled["origClientOrderId"]) == (
        stored.id,
        "CANCELED",
        "ws-1",
    )
    await stored.arefresh_from_db()
    assert stored.status == "CANCELED"
    assert await api.result("openOrders.status", alice.signed({"symbol": "BTCUSDT"})) == []
    assert await api.result("myTrades", alice.signed({"symbol": "BTCUSDT"})) == []
    gone = await api.call("order.cancel", alice.signed(reference))
    assert (gone["status"], gone["error"]) == (400, {"code": -2011, "msg": "Unknown order sent."})

    await api.result("order.place", alice.signed(LIMIT_BUY))
    all_canceled = await api.result("openOrders.cancelAll", alice.signed({"symbol": "BTCUSDT"}))
    assert [entry["status"] for entry in all_canceled] == ["CANCELED"]
    await api.close()


async def test_refused_signatures_change_nothing(alice: Key) -> None:
    api = await WsApi.open()
    now = wall_clock_ms()
    refusals = [
        (alice.signed(LIMIT_BUY, signature="0" * 64), 400, -1022),
        (alice.signed(LIMIT_BUY, quantity="0.6") | {"quantity": "0.7"}, 400, -1022),
        (alice.signed(LIMIT_BUY, timestamp=now - 60_000), 400, -1021),
        (alice.signed(LIMIT_BUY, timestamp=now + 5_000), 400, -1021),
        (alice.signed(LIMIT_BUY, recvWindow=70_000), 400, -1102),
        ({**LIMIT_BUY, "timestamp": now, "signature": "0" * 64}, 401, -2014),
        (alice.signed(LIMIT_BUY, apiKey="x" * 64), 401, -2015),
        ({k: v for k, v in alice.signed(LIMIT_BUY).items() if k != "timestamp"}, 400, -1102),
    ]
    for params, status, code in refusals:
        answer = await api.call("order.place", params)
        assert (answer["status"], answer["error"]["code"]) == (status, code), params
    await ApiKey.objects.filter(api_key=alice.api_key).aupdate(revoked_at=timezone.now())
    revoked = await api.call("order.place", alice.signed(LIMIT_BUY))
    assert (revoked["status"], revoked["error"]) == (
        401,
        {"code": -2015, "msg": "Invalid API-key, IP, or permissions for action."},
    )
    assert await orders_of(alice) == []
    await api.close()


async def test_an_ed25519_session_signs_for_later_requests_and_an_hmac_key_cannot_log_on(
    alice: Key,
) -> None:
    api = await WsApi.open()
    refused = await api.call("session.logon", alice.signed({}))
    assert (refused["status"], refused["error"]["code"]) == (401, -2015)
    assert (await api.result("session.status"))["apiKey"] is None

    ed = await ed25519_key(alice.user)
    logged_on = await api.result("session.logon", ed.signed({}))
    assert logged_on["apiKey"] == ed.api_key
    assert set(logged_on) == {
        "apiKey",
        "authorizedSince",
        "connectedSince",
        "returnRateLimits",
        "serverTime",
        "userDataStream",
    }
    assert logged_on["connectedSince"] <= logged_on["authorizedSince"] <= logged_on["serverTime"]
    assert logged_on["userDataStream"] is False
    placed = await api.result("order.place", {**LIMIT_BUY, "timestamp": wall_clock_ms()})
    assert [order.id for order in await orders_of(alice)] == [placed["orderId"]]
    late = await api.call("order.place", {**LIMIT_BUY, "timestamp": wall_clock_ms() - 60_000})
    assert late["error"]["code"] == -1021
    assert (await api.result("session.status"))["apiKey"] == ed.api_key

    assert (await api.result("session.logout"))["apiKey"] is None
    anonymous = await api.call("order.place", {**LIMIT_BUY, "timestamp": wall_clock_ms()})
    assert (anonymous["status"], anonymous["error"]["code"]) == (401, -2014)

    await api.result("session.logon", ed.signed({}))
    await ApiKey.objects.filter(api_key=ed.api_key).aupdate(revoked_at=timezone.now())
    revoked = await api.call("account.status", {"timestamp": wall_clock_ms()})
    assert (revoked["status"], revoked["error"]["code"]) == (401, -2015)
    assert (await api.result("session.status"))["apiKey"] is None
    assert len(await orders_of(alice)) == 1
    await api.close()


async def test_binary_long_and_flooding_frames_are_refused_in_binance_errors(
    host: EngineHost,
) -> None:
    api = await WsApi.open()
    await api.socket.send_to(bytes_data=b'{"id": 1, "method": "ping"}')
    await api.socket.send_to(
        text_data='{"id": 2, "method": "ping", "params": {"x": "' + "y" * 5000 + '"}}'
    )
    for _ in range(2):
        refused = await api.next_response()
        assert (refused["id"], refused["status"], refused["error"]["code"]) == (None, 400, -1102)
    for number in range(60):
        await api.send({"id": number, "method": "ping"})
    answers = [await api.next_response() for _ in range(60)]
    too_many = [answer for answer in answers if answer["status"] == 429]
    assert too_many, answers
    assert too_many[0]["error"]["code"] == -1003
    assert {answer["status"] for answer in answers} == {200, 429}
    await api.close()


async def test_past_the_weight_limit_a_request_is_429_minus_1003(
    host: EngineHost, settings: Any
) -> None:
    settings.PAPEREX_RATE_LIMITS = {
        **settings.PAPEREX_RATE_LIMITS,
        "binance_weight": Rate(limit=4, seconds=60),
    }
    api = await WsApi.open()  # 2 for connecting
    for number in range(2):
        await api.send({"id": number, "method": "ping"})
        assert (await api.next_response())["status"] == 200
    await api.send({"id": "over", "method": "ping"})
    refused = await api.next_response()
    assert (refused["id"], refused["status"], refused["error"]["code"]) == ("over", 429, -1003)
    assert refused["error"]["msg"].startswith(
        "Too much request weight used; current limit is 4 request weight per MINUTE."
    )
    assert refused["rateLimits"][0]["count"] == 4  # a refused request adds no weight
