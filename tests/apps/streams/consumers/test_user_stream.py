"""``/ws/user/``: private order, fill and balance updates; orders over the socket (compat §5)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from channels.testing import WebsocketCommunicator
from rest_framework_simplejwt.tokens import AccessToken

from paperex.apps.accounts.models import User
from paperex.apps.marketdata.runtime import runtime
from paperex.apps.streams.fanout.hub import hub
from paperex.apps.trading.gateway.gateway import engine_gateway
from paperex.apps.trading.host.host import EngineHost
from paperex.apps.trading.models import Order
from paperex.config.asgi import application
from paperex.domain.commands import Deposit
from paperex.marketdata.live_view import LiveMarketView
from tests.support.market_events import kline, ticker
from tests.support.trading import commits_held, register
from tests.support.waiting import async_wait_until

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def fresh_market_state() -> Iterator[None]:
    saved, runtime.state = runtime.state, LiveMarketView()
    yield
    runtime.state = saved
    hub.clear()


async def connect(user: User | None) -> WebsocketCommunicator:
    path = "/ws/user/" if user is None else f"/ws/user/?token={AccessToken.for_user(user)}"
    socket = WebsocketCommunicator(application, path)
    connected, _ = await socket.connect()
    assert connected
    return socket


async def next_frame(socket: WebsocketCommunicator, event: str | None = None) -> dict[str, Any]:
    """The next frame (of this event type, skipping others)."""
    while True:
        frame: dict[str, Any] = await socket.receive_json_from(timeout=5)
        if event is None or frame.get("event") == event:
            return frame


async def next_reply(socket: WebsocketCommunicator) -> dict[str, Any]:
    """The next reply to a request (skipping events)."""
    while "status_code" not in (frame := await next_frame(socket)):
        pass
    return frame


async def test_without_a_login_or_token_the_socket_is_refused(host: EngineHost) -> None:
    socket = await connect(None)
    assert "Log in" in (await socket.receive_json_from(timeout=5))["error"]
    assert (await socket.receive_output(timeout=5))["code"] == 4401
    await socket.disconnect()  # the consumer ends as a server ends it, not cancelled at teardown


async def test_a_bad_token_is_refused(host: EngineHost) -> None:
    socket = WebsocketCommunicator(application, "/ws/user/?token=forged")
    await socket.connect()
    assert "Log in" in (await socket.receive_json_from(timeout=5))["error"]
    await socket.disconnect()


async def test_orders_over_the_socket_reach_every_connection_of_the_user(
    host: EngineHost,
) -> None:
    alice = await register("alice")
    first, second = await connect(alice), await connect(alice)
    for socket in (first, second):
        assert (await next_frame(socket))["event"] == "connected"
    await first.send_json_to(
        {
            "action": "create_order",
            "symbol": "BTCUSDT",
            "side": "BUY",
            "type": "LIMIT",
            "price": "30000",
            "quantity": "0.1",
        }
    )
    reply = await next_frame(first)
    while "status_code" not in reply:
        reply = await next_frame(first)
    assert (reply["status_code"], reply["message"]) == (200, "Order was created")
    order_id = reply["order"]["id"]
    update = await next_frame(second, "order_update")
    assert (update["order"]["id"], update["order"]["status"]) == (order_id, "NEW")
    balances = await next_frame(second, "balances")
    assert {"asset": "USDT", "free": "97000", "locked": "3000"} in balances["balances"]

    await first.send_json_to({"action": "cancel_order", "order_id": order_id})
    cancelled = await next_frame(first)
    while "status_code" not in cancelled:
        cancelled = await next_frame(first)
    assert (cancelled["status_code"], cancelled["message"]) == (200, "Order was cancelled")
    assert (await next_frame(second, "order_update"))["order"]["status"] == "CANCELED"
    for socket in (first, second):
        await socket.disconnect()


async def test_fills_are_announced_and_only_the_owner_can_cancel(
    host: EngineHost,
) -> None:
    alice, bob = await register("alice"), await register("bob")
    await engine_gateway.execute(
        Deposit(timestamp=1, user_id=alice.pk, asset="BTC", amount=10_000_000)  # 0.1 BTC
    )
    alice_socket, bob_socket = await connect(alice), await connect(bob)
    await next_frame(alice_socket)
    await next_frame(bob_socket)
    order = {"symbol": "BTCUSDT", "type": "LIMIT", "price": "30000", "quantity": "0.1"}
    await alice_socket.send_json_to({"action": "create_order", "side": "SELL", **order})
    created = await next_frame(alice_socket)
    while "status_code" not in created:
        created = await next_frame(alice_socket)
    assert created["status_code"] == 200, created

    await bob_socket.send_json_to({"action": "cancel_order", "order_id": created["order"]["id"]})
    refused = await next_frame(bob_socket)
    assert refused["status_code"] == 400
    assert "You have no order" in refused["message"]

    await bob_socket.send_json_to(
        {"action": "create_order", "side": "BUY", **order, "quantity": "0.04"}
    )
    filled = await next_frame(alice_socket, "order_update")
    while filled["order"]["status"] == "NEW":
        filled = await next_frame(alice_socket, "order_update")
    assert (filled["order"]["status"], filled["message"]) == (
        "PARTIALLY_FILLED",
        "Order was partially filled",
    )
    fill = await next_frame(alice_socket, "fill")
    assert (fill["fill"]["price"], fill["fill"]["quantity"]) == ("30000", "0.04")
    for socket in (alice_socket, bob_socket):
        await socket.disconnect()


@pytest.mark.parametrize(
    ("request_body", "fragment"),
    [
        (
            {
                "action": "create_order",
                "symbol": "BTCUSDT",
                "side": "BUY",
                "type": "LIMIT",
                "price": "-1",
                "quantity": "0.1",
            },
            "price",
        ),
        (
            {
                "action": "create_order",
                "symbol": "NOPE",
                "side": "BUY",
                "type": "MARKET",
                "quantity": "1",
            },
            "NOPE",
        ),
        ({"action": "cancel_order", "order_id": "seven"}, "whole number"),
        ({"action": "withdraw_all"}, "Unknown action"),
    ],
)
async def test_bad_requests_get_400_replies(
    host: EngineHost,
    request_body: dict[str, Any],
    fragment: str,
) -> None:
    socket = await connect(await register("carol"))
    await next_frame(socket)
    await socket.send_json_to(request_body)
    reply = await next_frame(socket)
    assert reply["status_code"] == 400
    assert fragment in reply["message"]
    await socket.disconnect()


async def test_the_market_view_tracks_a_logged_in_users_position(
    host: EngineHost,
) -> None:
    alice = await register("alice")
    await engine_gateway.execute(
        Deposit(timestamp=1, user_id=alice.pk, asset="BTC", amount=10_000_000)  # 0.1 BTC
    )
    runtime.state.apply(ticker(symbol="BTCUSDT", price_change="1200", price_change_percent="2.04"))
    path = f"/ws/markets/BTCUSDT/?token={AccessToken.for_user(alice)}"
    socket = WebsocketCommunicator(application, path)
    assert (await socket.connect())[0]
    assert (await next_frame(socket))["event"] == "snapshot"
    position = await next_frame(socket, "position")
    assert (position["symbol"], position["quantity"]) == ("BTCUSDT", "0.1")

    hub.dispatch(kline("60000", symbol="BTCUSDT"))
    position = await next_frame(socket, "position")
    assert position["market_value"] == "6000"
    assert (position["percent_change"], position["equity_change"]) == ("2.04", "120")
    hub.dispatch(kline("61000.5", symbol="BTCUSDT"))
    assert (await next_frame(socket, "position"))["market_value"] == "6100.05"
    await socket.disconnect()


async def test_an_anonymous_market_view_gets_no_position(host: EngineHost) -> None:
    socket = WebsocketCommunicator(application, "/ws/markets/BTCUSDT/")
    assert (await socket.connect())[0]
    assert (await next_frame(socket))["event"] == "snapshot"
    hub.dispatch(kline("60000", symbol="BTCUSDT"))
    assert (await next_frame(socket))["event"] == "kline"
    assert await socket.receive_nothing(timeout=0.2)
    await socket.disconnect()


async def test_an_order_answered_too_late_is_unknown_and_its_retry_answers_the_order(
    host: EngineHost, settings: Any
) -> None:
    settings.PAPEREX_ENGINE_TIMEOUT = 1.0
    alice = await register("alice")
    socket = await connect(alice)
    await next_frame(socket)
    order = {
        "action": "create_order",
        "symbol": "BTCUSDT",
        "side": "BUY",
        "price": "100",
        "quantity": "0.1",
    }
    with commits_held(alice):
        await socket.send_json_to(order)
        reply = await next_reply(socket)
    assert (reply["status_code"], reply["code"], reply["status"], reply["retry_after"]) == (
        503,
        "engine_unavailable",
        "unknown",
        1,
    )
    client_order_id = reply["client_order_id"]  # generated: the request named none
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=application),
        base_url="http://testserver",
        headers={"Authorization": f"Bearer {AccessToken.for_user(alice)}"},
    ) as api:

        async def looked_up() -> dict[str, Any] | None:
            response = await api.get(
                "/api/orders/lookup/", params={"client_order_id": client_order_id}
            )
            return response.json() if response.status_code == 200 else None

        stored = await async_wait_until(looked_up, what="the late order")

    await socket.send_json_to({**order, "client_order_id": client_order_id})
    retry = await next_reply(socket)
    assert (retry["status_code"], retry["message"]) == (200, "Order already exists")
    assert retry["order"]["id"] == stored["id"]
    assert await Order.objects.filter(user=alice).acount() == 1
    await socket.disconnect()
