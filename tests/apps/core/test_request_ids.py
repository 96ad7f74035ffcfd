"""A request's id: the client's X-Request-ID or a new one, answered back, and carried with an
order into the engine's log lines (in this process and over Redis)."""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from paperex.apps.trading.gateway.redis_client import _envelope
from paperex.apps.trading.host.host import EngineHost
from paperex.apps.trading.protocol import Heartbeat, decode_envelope
from paperex.config.asgi import application
from paperex.config.environment import ConfigurationError, read_environment
from paperex.support.request_id import current
from tests.support.trading import register

pytestmark = pytest.mark.django_db(transaction=True)

ORDER = {"symbol": "BTCUSDT", "side": "BUY", "quantity": "0.1", "price": "20000"}


async def test_an_orders_request_id_is_answered_and_reaches_the_engines_log(
    host: EngineHost, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="paperex.apps.trading.host.host")
    token = str(AccessToken.for_user(await register("alice")))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=application),
        base_url="http://testserver",
        headers={"Authorization": f"Bearer {token}"},
    ) as lane:
        placed = await lane.post("/api/orders/", json=ORDER, headers={"X-Request-ID": "bot-42"})
        made = await lane.post("/api/orders/", json=ORDER, headers={"X-Request-ID": "bad id!"})
    assert (placed.status_code, placed.headers["X-Request-ID"]) == (201, "bot-42")
    assert made.headers["X-Request-ID"] not in ("", "bad id!")
    engine_lines = {
        getattr(line, "request_id", None): line.getMessage()
        for line in caplog.records
        if line.name == "paperex.apps.trading.host.host"
    }
    for request_id in ("bot-42", made.headers["X-Request-ID"]):
        assert engine_lines[request_id].startswith("PlaceOrder: OrderAccepted, ")


def test_django_answers_with_the_request_id(market_data: None) -> None:
    answer = APIClient().get("/api/markets/", HTTP_X_REQUEST_ID="page-7")
    assert answer["X-Request-ID"] == "page-7"
    assert len(APIClient().get("/api/markets/")["X-Request-ID"]) == 16


def test_a_command_sent_over_redis_carries_its_request_id() -> None:
    token = current.set("bot-9")
    try:
        _, payload = _envelope(Heartbeat(), 1.0, droppable=True)
    finally:
        current.reset(token)
    assert decode_envelope(payload).request_id == "bot-9"


def test_json_logs_and_their_level_are_settings(tmp_path: Any) -> None:
    env = {"PAPEREX_DATA_DIR": str(tmp_path), "PAPEREX_LOG_FORMAT": "json"}
    assert read_environment({**env, "PAPEREX_LOG_LEVEL": "debug"}).log_level == "DEBUG"
    assert read_environment(env).log_format == "json"
    with pytest.raises(ConfigurationError, match="PAPEREX_LOG_FORMAT must be one of plain, json"):
        read_environment({**env, "PAPEREX_LOG_FORMAT": "xml"})
