"""With no engine to reach, every way of placing or cancelling is a 503 with ``Retry-After`` and
the code ``engine_unavailable``: no engine in this process, or Redis to the engine away. Nothing
was sent, so the answer does not say the outcome is unknown."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from channels.testing import WebsocketCommunicator
from django.db import OperationalError
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from paperex.apps.accounts.models import User
from paperex.config.asgi import application
from tests.support.network import unused_port
from tests.support.trading import place

ORDER = {"symbol": "BTCUSDT", "side": "BUY", "price": "100", "quantity": "1"}


@pytest.fixture(params=["no engine here", "Redis away"])
def engine_away(request: pytest.FixtureRequest, settings: Any) -> str:
    """No host in this process, and either no Redis (embedded) or a Redis nothing listens on."""
    settings.PAPEREX_RUN_ENGINE = request.param == "no engine here"
    settings.PAPEREX_REDIS_URL = (
        None if request.param == "no engine here" else f"redis://127.0.0.1:{unused_port()}/0"
    )
    return str(request.param)


def assert_engine_unavailable(status: int, headers: Any, body: dict[str, Any]) -> None:
    assert status == 503, body
    assert headers["Retry-After"] == "1"
    assert body["code"] == "engine_unavailable"
    assert body["message"]
    assert "status" not in body


@pytest.mark.django_db
def test_rest_place_and_cancel_all_are_503(trader: User, engine_away: str) -> None:
    client = APIClient()
    client.force_authenticate(trader)
    for response in (
        place(client, **ORDER),
        client.post("/api/orders/cancel-all/", {}, format="json"),
    ):
        assert_engine_unavailable(response.status_code, response.headers, response.json())


@pytest.mark.django_db(transaction=True)
async def test_the_order_lane_is_503(trader: User, engine_away: str) -> None:
    token = str(AccessToken.for_user(trader))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=application),
        base_url="http://testserver",
        headers={"Authorization": f"Bearer {token}"},
    ) as api:
        response = await api.post("/api/orders/", json=ORDER)
    assert_engine_unavailable(response.status_code, response.headers, response.json())


@pytest.mark.django_db(transaction=True)
async def test_the_user_stream_answers_503_frames(trader: User, engine_away: str) -> None:
    socket = WebsocketCommunicator(application, f"/ws/user/?token={AccessToken.for_user(trader)}")
    connected, _ = await socket.connect()
    assert connected
    await socket.receive_json_from(timeout=5)  # connected
    await socket.send_json_to({"action": "create_order", **ORDER})
    frame = await socket.receive_json_from(timeout=10)
    await socket.disconnect()
    assert (frame["status_code"], frame["code"], frame["retry_after"]) == (
        503,
        "engine_unavailable",
        1,
    )
    assert "status" not in frame


@pytest.mark.django_db
def test_a_database_that_is_away_is_503_not_500(
    trader: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    def lost(**_: Any) -> None:
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr("paperex.apps.trading.api.account.balance_list", lost)
    client = APIClient()
    client.force_authenticate(trader)
    response = client.get("/api/balances/")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "1"
    assert response.json()["code"] == "database_unavailable"
