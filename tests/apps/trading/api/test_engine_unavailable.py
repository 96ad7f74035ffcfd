"""With no engine to reach, order entry is a 503 in the API's error shape."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from paperex.apps.accounts.models import User
from tests.support.trading import place

Trader = Callable[[str], tuple[User, APIClient]]


@pytest.mark.django_db
def test_orders_without_an_engine_are_503(trader: User) -> None:
    client = APIClient()
    client.force_authenticate(trader)
    response = place(client, symbol="BTCUSDT", side="BUY", price="100", quantity="1")
    assert response.status_code == 503
    assert response.json()["code"] == "engine_unavailable"
