"""Past its request weight limit a client is refused with Binance's 429 -1003 and
``Retry-After``: an address for the public endpoints, a user for the signed ones, each with
its own count."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from paperex.apps.accounts.models import User
from paperex.apps.binance.weights import user_key, weight_use
from paperex.support.rate_window import Rate
from tests.apps.binance.signing import SignedClient

Trader = Callable[[str], tuple[User, APIClient]]
LIMIT = 30
TOO_MUCH = (
    f"Too much request weight used; current limit is {LIMIT} request weight per MINUTE. "
    "Please use WebSocket Streams for live updates to avoid polling the API."
)


@pytest.fixture
def weight_limit(settings: Any) -> None:
    settings.PAPEREX_RATE_LIMITS = {
        **settings.PAPEREX_RATE_LIMITS,
        "binance_weight": Rate(LIMIT, 60),
    }


def assert_too_much_weight(response: Any) -> None:
    assert response.status_code == 429
    assert response.json() == {"code": -1003, "msg": TOO_MUCH}
    assert 1 <= int(response["Retry-After"]) <= 120  # the limits' windows slide


@pytest.mark.usefixtures("weight_limit")
def test_an_address_past_its_weight_is_refused(client: Client, seeded: None) -> None:
    used = [client.get("/api/v3/exchangeInfo")["X-MBX-USED-WEIGHT-1M"] for _ in range(2)]
    assert used == ["20", "40"]
    refused = client.get("/api/v3/ping")
    assert_too_much_weight(refused)
    assert refused["X-MBX-USED-WEIGHT-1M"] == "40"  # a refused request adds no weight
    other_address = client.get("/api/v3/ping", REMOTE_ADDR="10.0.0.9")
    assert (other_address.status_code, other_address["X-MBX-USED-WEIGHT-1M"]) == (200, "1")


@pytest.mark.usefixtures("weight_limit", "engine_host")
def test_signed_requests_count_against_the_user_not_the_address(
    client: Client, make_trader: Trader
) -> None:
    alice, bob = (SignedClient.of(make_trader(name)[0]) for name in ("alice", "bob"))
    assert alice.get("account")["X-MBX-USED-WEIGHT-1M"] == "20"
    weight_use(user_key(alice.user.pk), LIMIT - 20)
    assert_too_much_weight(alice.get("account"))
    assert_too_much_weight(alice.post("order", {"symbol": "BTCUSDT"}))
    assert bob.get("account").status_code == 200
    assert client.get("/api/v3/ping")["X-MBX-USED-WEIGHT-1M"] == "1"


def test_without_a_limit_the_weight_is_still_reported(
    client: Client, seeded: None, settings: Any
) -> None:
    settings.PAPEREX_RATE_LIMITS = {**settings.PAPEREX_RATE_LIMITS, "binance_weight": None}
    for _ in range(3):
        response = client.get("/api/v3/exchangeInfo")
    assert (response.status_code, response["X-MBX-USED-WEIGHT-1M"]) == (200, "60")
