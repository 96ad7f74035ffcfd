"""``POST /api/orders/`` with a token through the ASGI order-entry lane: it answers as the DRF
view would, byte for byte in meaning, and leaves what it cannot authenticate to Django."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from asgiref.sync import sync_to_async
from rest_framework_simplejwt.tokens import AccessToken

from paperex.apps.accounts.models import User
from paperex.apps.trading.host.host import EngineHost
from paperex.apps.trading.models import Order
from paperex.config.asgi import application, django_application
from tests.support.trading import register

pytestmark = pytest.mark.django_db(transaction=True)
BASE = "http://testserver"


def client(app: Any, user: User | None = None, token: str | None = None) -> httpx.AsyncClient:
    if token is None and user is not None:
        token = str(AccessToken.for_user(user))
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE, headers=headers)


async def test_an_order_placed_through_the_lane_reads_back_the_same(host: EngineHost) -> None:
    user = await register("lane-alice")
    order = {"symbol": "BTCUSDT", "side": "BUY", "price": "1000.5", "quantity": "0.01"}
    async with client(application, user) as api:
        placed = await api.post("/api/orders/", json=order)
        assert placed.status_code == 201
        assert placed.headers["content-type"] == "application/json"
        stored = await api.get(f"/api/orders/{placed.json()['id']}/")
    assert stored.status_code == 200
    assert placed.json() == stored.json()
    assert placed.json()["status"] == "NEW"


async def test_a_reused_client_order_id_answers_the_existing_order(host: EngineHost) -> None:
    user = await register("lane-bob")
    order = {
        "symbol": "BTCUSDT",
        "side": "BUY",
        "price": "1000",
        "quantity": "0.01",
        "client_order_id": "retry-1",
    }
    async with client(application, user) as api:
        first = await api.post("/api/orders/", json=order)
        again = await api.post("/api/orders/", json=order)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()


BAD_BODIES: list[bytes | dict[str, Any]] = [
    b"{not json",
    b"[1, 2]",
    {"symbol": "BTCUSDT", "side": "BUY", "price": "-1", "quantity": "1"},
    {"symbol": "BTCUSDT", "side": "BUY", "price": "0", "quantity": "1"},
    {"symbol": "BTCUSDT", "side": "BUY", "price": None, "quantity": "1"},
    {"symbol": "BTCUSDT", "side": "BUY", "price": "100"},
    {"symbol": "BTCUSDT", "side": "HOLD", "price": "100", "quantity": "1"},
    {"symbol": "NOPEUSDT", "side": "BUY", "price": "100", "quantity": "1"},
    {"symbol": "BTCUSDT", "side": "BUY", "price": "100.123456789", "quantity": "1"},
    {"symbol": "BTCUSDT", "side": "BUY", "price": "100", "quantity": "100000"},
    {"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "1", "quote_order_qty": "5"},
]


@pytest.mark.parametrize("body", BAD_BODIES, ids=range(len(BAD_BODIES)))
async def test_a_bad_order_gets_the_same_400_as_from_the_drf_view(
    host: EngineHost, body: bytes | dict[str, Any]
) -> None:
    user = await register("lane-carol")
    content = body if isinstance(body, bytes) else None
    payload = None if isinstance(body, bytes) else body
    headers = {"Content-Type": "application/json"}
    async with client(application, user) as lane, client(django_application, user) as drf:
        fast = await lane.post("/api/orders/", content=content, json=payload, headers=headers)
        reference = await drf.post("/api/orders/", content=content, json=payload, headers=headers)
    assert fast.status_code == reference.status_code == 400
    assert fast.json() == reference.json()
    assert fast.json()["message"]


async def test_numbers_as_json_numbers_are_accepted_too(host: EngineHost) -> None:
    user = await register("lane-dave")
    async with client(application, user) as api:
        placed = await api.post(
            "/api/orders/",
            json={"symbol": "BTCUSDT", "side": "BUY", "price": 1000.25, "quantity": 0.5},
        )
    assert placed.status_code == 201
    assert (placed.json()["price"], placed.json()["quantity"]) == ("1000.25", "0.5")


@pytest.mark.parametrize("encoding", ["form", "multipart", "no content type"])
async def test_a_body_that_is_not_json_is_answered_as_the_drf_view_answers_it(
    host: EngineHost, encoding: str
) -> None:
    user = await register("lane-grace")
    order = {"symbol": "BTCUSDT", "side": "BUY", "price": "1000", "quantity": "0.01"}
    sent: dict[str, Any] = {
        "form": {"data": order},
        "multipart": {"data": order, "files": {"unused": b""}},
        "no content type": {"content": json.dumps(order).encode()},
    }[encoding]
    async with client(application, user) as lane, client(django_application, user) as drf:
        fast = await lane.post("/api/orders/", **sent)
        reference = await drf.post("/api/orders/", **sent)
    assert fast.status_code == reference.status_code
    assert fast.status_code == (415 if encoding == "no content type" else 201)
    assert fast.json().keys() == reference.json().keys()


@pytest.mark.parametrize("token", ["not-a-token", "Bearer-less"])
async def test_a_bad_token_gets_django_s_401(host: EngineHost, token: str) -> None:
    order = {"symbol": "BTCUSDT", "side": "BUY", "price": "1000", "quantity": "0.01"}
    async with (
        client(application, token=token) as lane,
        client(django_application, token=token) as drf,
    ):
        fast = await lane.post("/api/orders/", json=order)
        reference = await drf.post("/api/orders/", json=order)
    assert fast.status_code == reference.status_code == 401
    assert fast.json() == reference.json()


async def test_an_inactive_user_cannot_place_orders(host: EngineHost) -> None:
    user = await register("lane-erin")
    user.is_active = False
    await sync_to_async(user.save)()
    async with client(application, user) as api:
        refused = await api.post(
            "/api/orders/",
            json={"symbol": "BTCUSDT", "side": "BUY", "price": "1000", "quantity": "0.01"},
        )
    assert refused.status_code == 401


async def test_a_body_over_the_limit_is_refused_with_413_and_places_nothing(
    host: EngineHost, settings: Any
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    user = await register("lane-frank")
    order = {"symbol": "BTCUSDT", "side": "BUY", "price": "1000", "quantity": "0.01"}
    order["client_order_id"] = "x" * 120
    async with client(application, user) as lane:
        refused = await lane.post("/api/orders/", json=order)
    assert refused.status_code == 413
    assert refused.json()["code"] == "payload_too_large"
    assert not await Order.objects.filter(user=user).aexists()
