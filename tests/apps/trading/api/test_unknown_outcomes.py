"""An engine that takes a command but answers too late: the answer says so (503 with
``"status": "unknown"`` and the client order id), the order can be looked up by that id, and a
retry with it never places the order twice; a cancel-all that takes long is accepted (202) and
finishes. The host is real; its commits are held up by a lock (``commits_held``)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from paperex.apps.accounts.models import User
from paperex.apps.trading.host.host import EngineHost
from paperex.apps.trading.models import Order
from paperex.config.asgi import application
from paperex.domain.commands import Deposit
from paperex.support.clock import wall_clock_ms
from tests.support.trading import commits_held, place, register
from tests.support.waiting import async_wait_until, wait_until

Trader = Callable[[str], tuple[User, APIClient]]
ORDER = {"symbol": "BTCUSDT", "side": "BUY", "price": "100", "quantity": "0.1"}


@pytest.fixture(autouse=True)
def short_wait(settings: Any) -> None:
    """Callers wait a second for the engine's answer."""
    settings.PAPEREX_ENGINE_TIMEOUT = 1.0


def assert_unknown(status: int, headers: Any, body: dict[str, Any]) -> None:
    assert status == 503, body
    assert headers["Retry-After"] == "1"
    assert (body["code"], body["status"]) == ("engine_unavailable", "unknown")


def found(response: Any) -> dict[str, Any] | None:
    """The order a lookup answered, None for its 404."""
    if response.status_code == 404:
        return None
    assert response.status_code == 200, response.json()
    body: dict[str, Any] = response.json()
    return body


def lookup(client: APIClient, client_order_id: str) -> dict[str, Any] | None:
    return found(client.get("/api/orders/lookup/", {"client_order_id": client_order_id}))


@pytest.mark.usefixtures("engine_host")
def test_a_placement_answered_too_late_is_unknown_then_found_and_never_placed_twice(
    make_trader: Trader,
) -> None:
    trader, client = make_trader("alice")
    with commits_held(trader):
        response = place(client, **ORDER)
        body = response.json()
        assert_unknown(response.status_code, response.headers, body)
        client_order_id = body["client_order_id"]
        assert client_order_id.startswith("paperex-")  # the client sent none: the server named it
        assert client_order_id in body["message"]
        assert lookup(client, client_order_id) is None  # not committed yet
    order = wait_until(lambda: lookup(client, client_order_id), what="the late order")
    assert (order["client_order_id"], order["status"]) == (client_order_id, "NEW")

    retry = place(client, client_order_id=client_order_id, **ORDER)
    assert retry.status_code == 200, retry.json()
    assert retry.json() == order
    assert Order.objects.filter(user=trader).count() == 1


@pytest.mark.usefixtures("engine_host")
def test_a_cancel_answered_too_late_is_unknown_with_the_order_id(make_trader: Trader) -> None:
    trader, client = make_trader("alice")
    order = place(client, **ORDER).json()
    with commits_held(trader):
        response = client.delete(f"/api/orders/{order['id']}/")
        body = response.json()
        assert_unknown(response.status_code, response.headers, body)
        assert body["order_id"] == order["id"]
    wait_until(
        lambda: client.get(f"/api/orders/{order['id']}/").json()["status"] == "CANCELED",
        what="the late cancel",
    )
    assert client.delete(f"/api/orders/{order['id']}/").json()["code"] == "ORDER_NOT_OPEN"


@pytest.mark.usefixtures("engine_host")
def test_lookup_by_client_order_id(make_trader: Trader) -> None:
    _, alice = make_trader("alice")
    _, bob = make_trader("bob")
    order = place(alice, client_order_id="a/b:c.d_e-f", **ORDER).json()
    assert lookup(alice, "a/b:c.d_e-f") == order
    assert lookup(bob, "a/b:c.d_e-f") is None  # another user's order is not found
    assert lookup(alice, "other") is None
    for query in ({}, {"client_order_id": "no spaces"}):
        response = alice.get("/api/orders/lookup/", query)
        assert (response.status_code, response.json()["code"]) == (400, "invalid")


@pytest.mark.parametrize("queued_behind_a_slow_batch", [False, True])
def test_a_long_cancel_all_is_accepted_and_runs_to_the_end(
    make_trader: Trader, engine_host: EngineHost, queued_behind_a_slow_batch: bool
) -> None:
    trader, client = make_trader("alice")
    for step in range(40):
        assert place(client, **{**ORDER, "price": str(100 + step)}).status_code == 201
    with commits_held(trader):
        if queued_behind_a_slow_batch:
            # The writer takes a batch ahead of the cancel-all and waits to commit it: the
            # cancel-all waits in the queue longer than its caller waits for the answer.
            engine = engine_host.state.engine
            free = engine.balance(trader.pk, "USDT").free
            engine_host.submit_untracked(
                Deposit(timestamp=wall_clock_ms(), user_id=trader.pk, asset="USDT", amount=1)
            )
            wait_until(
                lambda: engine.balance(trader.pk, "USDT").free == free + 1,
                what="the writer to take the deposit",
            )
        response = client.post("/api/orders/cancel-all/", {}, format="json")
        assert response.status_code == 202, response.json()
        assert response.json()["status"] == "accepted"
    wait_until(
        lambda: not Order.objects.filter(user=trader, status="NEW").exists(),
        what="every order canceled",
    )
    assert Order.objects.filter(user=trader, status="CANCELED").count() == 40


@pytest.mark.usefixtures("engine_host")
def test_a_cancel_all_that_finishes_in_time_answers_what_it_canceled(make_trader: Trader) -> None:
    _, client = make_trader("alice")
    ids = {place(client, **ORDER).json()["id"] for _ in range(3)}
    response = client.post("/api/orders/cancel-all/", {}, format="json")
    assert response.status_code == 200
    assert {order["id"] for order in response.json()} == ids


@pytest.mark.django_db(transaction=True)
async def test_the_order_lane_answers_unknown_then_the_retry_finds_the_order(
    host: EngineHost, caplog: pytest.LogCaptureFixture
) -> None:
    user = await register("lane-alice")
    order = {**ORDER, "client_order_id": "lane-1"}
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=application),
        base_url="http://testserver",
        headers={"Authorization": f"Bearer {AccessToken.for_user(user)}"},
    ) as api:

        async def lookup_lane() -> dict[str, Any] | None:
            return found(await api.get("/api/orders/lookup/", params={"client_order_id": "lane-1"}))

        with commits_held(user):
            response = await api.post("/api/orders/", json=order)
            assert_unknown(response.status_code, response.headers, response.json())
            assert response.json()["client_order_id"] == "lane-1"
        stored = await async_wait_until(lookup_lane, what="the late order")
        retry = await api.post("/api/orders/", json=order)
    assert retry.status_code == 200
    assert retry.json() == stored
    assert await Order.objects.filter(user=user).acount() == 1
    # The caller that stopped waiting left the host's answer alone: the batch was answered
    # as committed, not failed and rebuilt.
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]


@pytest.mark.django_db
def test_the_schema_documents_the_answers() -> None:
    schema = APIClient().get("/api/schema/", {"format": "json"}).json()
    paths, components = schema["paths"], schema["components"]["schemas"]
    assert {"200", "201", "400", "503"} <= set(paths["/api/orders/"]["post"]["responses"])
    assert {"status", "client_order_id"} <= set(components["PlacementUnavailable"]["properties"])
    assert {"status", "order_id"} <= set(components["CancelUnavailable"]["properties"])
    assert {"200", "202", "503"} <= set(paths["/api/orders/cancel-all/"]["post"]["responses"])
    lookup_parameters = paths["/api/orders/lookup/"]["get"]["parameters"]
    assert [parameter["name"] for parameter in lookup_parameters] == ["client_order_id"]
