"""Limits against abuse, through the ASGI application as a server runs it: requests per address
and per user, orders per user (REST and the order lane), failed logins per address and per
username, WebSocket handshakes per address, and counts shared through Redis."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import redis.asyncio as redis_async
from asgiref.sync import sync_to_async
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from paperex.apps.core import limits
from paperex.apps.core.address_limits import address_limited
from paperex.apps.trading.host.host import EngineHost
from paperex.config.asgi import application
from paperex.config.environment import RATE_LIMIT_DEFAULTS
from paperex.support.rate_window import Rate, SlidingWindowCounts, parse_rate
from tests.support.trading import PASSWORD, register

pytestmark = pytest.mark.django_db(transaction=True)

ORDER = {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "quantity": "0.1"}


@pytest.fixture
def rates(settings: Any) -> dict[str, Rate | None]:
    """Every limit off unless a test sets it."""
    settings.PAPEREX_RATE_LIMITS = dict.fromkeys(RATE_LIMIT_DEFAULTS)
    return settings.PAPEREX_RATE_LIMITS


def client(address: str = "10.0.0.1", token: str | None = None) -> httpx.AsyncClient:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=application, client=(address, 40000)),
        base_url="http://testserver",
        headers=headers,
    )


def assert_limited(response: httpx.Response, limit: str) -> None:
    assert response.status_code == 429, response.text
    body = response.json()
    assert (body["code"], body["limit"]) == ("rate_limited", limit)
    assert int(response.headers["Retry-After"]) >= 1
    assert f"try again in {response.headers['Retry-After']} s" in body["message"]


async def test_requests_per_address_are_limited_except_probes_and_assets(
    rates: dict[str, Rate | None], market_data: None
) -> None:
    rates["address"] = parse_rate("3/1m")
    async with client("10.0.0.1") as first, client("10.0.0.2") as second:
        for _ in range(3):
            assert (await first.get("/api/markets/")).status_code == 200
        assert_limited(await first.get("/api/markets/"), "address")
        assert_limited(await first.post("/api/orders/", json=ORDER), "address")
        assert (await first.get("/api/health/live/")).status_code == 200
        assert (await first.get("/static/nothing-here.css")).status_code == 404  # not refused
        assert (await second.get("/api/markets/")).status_code == 200


async def test_requests_per_user_are_limited_over_rest_and_the_order_lane(
    rates: dict[str, Rate | None], market_data: None
) -> None:
    rates["user"] = parse_rate("2/1m")
    alice = str(AccessToken.for_user(await register("alice")))
    bob = str(AccessToken.for_user(await register("bob")))
    async with client(token=alice) as api:
        assert (await api.get("/api/account/")).status_code == 200
        assert (await api.get("/api/balances/")).status_code == 200
        assert_limited(await api.get("/api/account/"), "user")
        assert_limited(await api.post("/api/orders/", json={**ORDER, "price": "100"}), "user")
    async with client(token=bob) as api:
        assert (await api.get("/api/account/")).status_code == 200  # from the same address


async def test_orders_per_user_are_limited_whichever_way_they_come(
    rates: dict[str, Rate | None], host: EngineHost
) -> None:
    rates["orders"] = parse_rate("2/10s")
    alice = await register("alice")

    def place_by_session(price: str) -> Any:
        web = APIClient()
        web.force_login(alice)
        return web.post("/api/orders/", {**ORDER, "price": price}, format="json")

    async with client(token=str(AccessToken.for_user(alice))) as lane:
        placed = await lane.post("/api/orders/", json={**ORDER, "price": "100"})
        assert placed.status_code == 201, placed.text
        assert (await sync_to_async(place_by_session)("101")).status_code == 201
        assert_limited(await lane.post("/api/orders/", json={**ORDER, "price": "102"}), "orders")
        refused = await sync_to_async(place_by_session)("103")
        assert (refused.status_code, refused.json()["limit"]) == (429, "orders")
    bob = await register("bob")
    async with client(token=str(AccessToken.for_user(bob))) as lane:
        assert (await lane.post("/api/orders/", json={**ORDER, "price": "100"})).status_code == 201


async def test_a_username_that_failed_is_slowed_then_refused_without_checking_its_password(
    rates: dict[str, Rate | None], market_data: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    rates["login_username_burst"] = parse_rate("3/1m")
    await register("alice")
    await register("bob")
    async with client() as web:
        for _ in range(3):
            wrong = await web.post("/api/token/", json={"username": "Alice", "password": "x"})
            assert wrong.status_code == 401
        checked: list[str] = []
        monkeypatch.setattr(
            "django.contrib.auth.backends.ModelBackend.authenticate",
            lambda *args, **kwargs: checked.append("checked"),
        )
        right = await web.post("/api/token/", json={"username": "alice", "password": PASSWORD})
        assert_limited(right, "login_username_burst")
        assert checked == []  # refused before any password was checked
        monkeypatch.undo()
        rates["login_username_burst"] = parse_rate("3/1m")  # undone with the patch
        other = await web.post("/api/token/", json={"username": "bob", "password": PASSWORD})
        assert other.status_code == 200


async def test_an_address_that_failed_too_often_is_refused_at_the_door(
    rates: dict[str, Rate | None], market_data: None
) -> None:
    rates["login_address"] = parse_rate("2/1m")
    await register("alice")
    async with client("10.0.0.1") as flooder, client("10.0.0.2") as user:
        for name in ("x", "y"):
            assert (
                await flooder.post("/api/token/", json={"username": name, "password": "x"})
            ).status_code == 401
        refused = await flooder.post("/api/token/", json={"username": "alice", "password": "?"})
        assert_limited(refused, "login_address")
        assert_limited(
            await flooder.post("/accounts/login/", data={"username": "a", "password": "b"}),
            "login_address",
        )
        assert (await flooder.get("/api/markets/")).status_code == 200  # only logins
        good = await user.post("/api/token/", json={"username": "alice", "password": PASSWORD})
        assert good.status_code == 200


def test_the_login_form_says_how_long_to_wait(
    rates: dict[str, Rate | None], market_data: None, client: Any
) -> None:
    rates["login_username"] = parse_rate("1/1h")
    form = {"username": "nobody", "password": "wrong"}
    assert client.post("/accounts/login/", form).status_code == 200  # the form again
    limited = client.post("/accounts/login/", form)
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) > 60
    assert "Too many failed logins for this username" in limited.content.decode()


def test_registrations_per_address_are_limited(
    rates: dict[str, Rate | None], market_data: None, api_client: Any
) -> None:
    rates["registrations"] = parse_rate("1/1m")
    first = {"username": "carol", "password": PASSWORD, "email": "carol@example.com"}
    assert api_client.post("/api/auth/register/", first, format="json").status_code == 201
    second = {**first, "username": "dave", "email": "dave@example.com"}
    refused = api_client.post("/api/auth/register/", second, format="json")
    assert (refused.status_code, refused.json()["limit"]) == (429, "registrations")


class Handshake:
    """A WebSocket handshake sent to an ASGI app, and what the app answered."""

    def __init__(self, *, denial_extension: bool) -> None:
        self.scope: dict[str, Any] = {
            "type": "websocket",
            "path": "/stream/",
            "client": ("10.0.0.9", 50000),
            "headers": [],
            "extensions": {"websocket.http.response": {}} if denial_extension else {},
        }
        self.sent: list[dict[str, Any]] = []
        self.reached_app = False

    async def run(self) -> None:
        async def app(scope: Any, receive: Any, send: Any) -> None:
            self.reached_app = True

        async def receive() -> dict[str, Any]:
            return {"type": "websocket.connect"}

        async def send(message: dict[str, Any]) -> None:
            self.sent.append(message)

        await address_limited(app)(self.scope, receive, send)


async def test_websocket_handshakes_per_address_are_limited_with_an_http_answer(
    rates: dict[str, Rate | None],
) -> None:
    rates["ws_connections"] = parse_rate("1/5m")
    first, second = Handshake(denial_extension=True), Handshake(denial_extension=True)
    await first.run()
    await second.run()
    assert (first.reached_app, second.reached_app) == (True, False)
    start, body = second.sent
    assert (start["type"], start["status"]) == ("websocket.http.response.start", 429)
    assert int(dict(start["headers"])[b"retry-after"]) > 60
    assert b'"limit": "ws_connections"' in body["body"]

    without = Handshake(denial_extension=False)
    await without.run()
    assert without.sent == [{"type": "websocket.close", "code": 1008}]


async def test_counts_are_shared_through_redis(redis_url: str) -> None:
    rate = Rate(5, 60)
    one, other = SlidingWindowCounts(), SlidingWindowCounts()
    store = redis_async.Redis.from_url(redis_url)
    await store.delete(*[key async for key in store.scan_iter(f"{limits.KEY_PREFIX}*")] or ["-"])
    try:
        for _ in range(3):
            assert one.hit("orders", "42", rate) == 0
        await share(one, store)
        for _ in range(2):
            assert other.hit("orders", "42", rate) == 0
        await share(other, store)  # learns the first process's 3
        assert other.hit("orders", "42", rate) > 0
        await share(one, store)  # nothing new to add, but it learns the other's 2
        assert one.hit("orders", "42", rate) > 0
    finally:
        await store.aclose()


async def share(counts: SlidingWindowCounts, store: Any) -> None:
    original = limits.counts
    limits.counts = counts
    try:
        await limits.share_counts(store)
    finally:
        limits.counts = original
