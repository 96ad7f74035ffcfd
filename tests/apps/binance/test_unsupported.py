"""What a bot gets for what Paperex does not have (README "What Paperex does not support"):
-1020 for order lists, SOR, margin and the retired listenKey paths, -1104 for order parameters
Paperex does not read; nothing is placed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from paperex.apps.accounts.models import User
from paperex.apps.trading.models import Order
from tests.apps.binance.signing import LIMIT_BUY, SignedClient

Trader = Callable[[str], tuple[User, APIClient]]
pytestmark = pytest.mark.usefixtures("engine_host")
NOT_SUPPORTED = {"code": -1020, "msg": "This operation is not supported."}


@pytest.fixture
def alice(make_trader: Trader) -> SignedClient:
    return SignedClient.of(make_trader("alice")[0])


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("POST", "order/oco", 405),
        ("POST", "orderList/oto", 405),
        ("GET", "openOrderList", 404),
        ("POST", "sor/order", 405),
        ("POST", "userDataStream", 405),
    ],
)
def test_order_lists_sor_and_listen_keys_are_not_supported(
    alice: SignedClient, method: str, path: str, status: int
) -> None:
    response = alice.request(method, path, {"symbol": "BTCUSDT"})
    assert (response.status_code, response.json()) == (status, NOT_SUPPORTED)
    assert not Order.objects.filter(user=alice.user).exists()


def test_margin_endpoints_are_not_supported(client: Client) -> None:
    response = client.get("/sapi/v1/margin/account")
    assert (response.status_code, response.json()) == (404, NOT_SUPPORTED)


@pytest.mark.parametrize("parameter", ["icebergQty", "trailingDelta", "strategyId"])
def test_order_parameters_paperex_does_not_have_place_nothing(
    alice: SignedClient, parameter: str
) -> None:
    response = alice.post("order", {**LIMIT_BUY, parameter: "10"})
    body: dict[str, Any] = response.json()
    assert (response.status_code, body["code"]) == (400, -1104)
    assert not Order.objects.filter(user=alice.user).exists()
