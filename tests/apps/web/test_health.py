"""/api/health/ tells the truth: 503 naming what is down (database, channel layer, engine,
market data) and 200 only when an order would be taken; /api/health/live/ is the process."""

from __future__ import annotations

import os
from typing import Any

import pytest
from django.db import connection
from rest_framework.test import APIClient

from paperex.apps.marketdata.runtime import MarketDataRuntime, runtime
from paperex.apps.trading.host.host import EngineHost
from paperex.marketdata.live_view import LiveMarketView
from tests.support.market_events import book, trade
from tests.support.network import unused_port
from tests.support.redis_server import NO_REDIS_SERVER, REDIS_SERVER, redis_server


def health(client: APIClient) -> tuple[int, dict[str, Any], str | None]:
    response = client.get("/api/health/")
    return response.status_code, response.json(), response.headers.get("Retry-After")


def test_ready_when_every_component_is_up(api_client: APIClient, engine_host: EngineHost) -> None:
    status, body, _ = health(api_client)
    assert (status, body["status"], body["down"]) == (200, "ok", [])
    components = body["components"]
    assert components["database"] == {"ok": True, "vendor": connection.vendor}
    expected_layer = "RedisChannelLayer" if os.environ.get("REDIS_URL") else "InMemoryChannelLayer"
    assert components["channel_layer"] == {"ok": True, "backend": expected_layer}
    assert components["engine"] == {"ok": True}
    assert components["feed"]["ok"] is True
    assert components["feed"]["expected"] is False  # no feed here, none over Redis
    assert api_client.get("/api/health/ready/").json() == body


def test_no_engine_is_503_naming_it(api_client: APIClient, market_data: None) -> None:
    status, body, retry_after = health(api_client)
    assert (status, body["status"], body["down"], retry_after) == (
        503,
        "unavailable",
        ["engine"],
        "5",
    )
    assert body["components"]["engine"] == {
        "ok": False,
        "error": "the matching engine is not running",
    }
    assert api_client.get("/api/health/live/").json() == {"status": "ok"}


@pytest.mark.skipif(REDIS_SERVER is None, reason=NO_REDIS_SERVER)
def test_an_engine_process_that_does_not_answer_in_time_is_503(
    api_client: APIClient, market_data: None, settings: Any
) -> None:
    port = unused_port()
    settings.PAPEREX_REDIS_URL = f"redis://127.0.0.1:{port}/0"
    settings.PAPEREX_RUN_ENGINE = False  # commands go over Redis; no engine takes them
    settings.PAPEREX_HEALTH_CHECK_SECONDS = 0.3
    with redis_server(port):
        status, body, _ = health(api_client)
    assert (status, body["down"]) == (503, ["engine"])
    assert body["components"]["engine"]["error"] == (
        "no engine answered in time; is `paperex engine` running?"
    )


def test_a_database_that_does_not_answer_is_503(
    api_client: APIClient, engine_host: EngineHost, monkeypatch: pytest.MonkeyPatch
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the probe of an SQLite file always answers")
    monkeypatch.setitem(connection.settings_dict, "PORT", str(unused_port()))
    status, body, _ = health(api_client)
    assert (status, body["down"]) == (503, ["database"])
    assert "cannot reach the postgresql database" in body["components"]["database"]["error"]


@pytest.fixture
def expected_feed(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Market data is expected here (as if a feed process published over Redis), into a view
    with a clock the test moves (ms)."""
    now = [10_000_000]
    monkeypatch.setattr(MarketDataRuntime, "market_data_expected", property(lambda _: True))
    monkeypatch.setattr(runtime, "state", LiveMarketView(clock=lambda: now[0]))
    return now


def test_market_data_that_stopped_arriving_is_503(
    api_client: APIClient, engine_host: EngineHost, expected_feed: list[int], settings: Any
) -> None:
    settings.PAPEREX_FEED_STALE_SECONDS = 30
    status, body, _ = health(api_client)
    assert (status, body["down"]) == (503, ["feed"])
    assert body["components"]["feed"]["error"] == "no market data has arrived"

    runtime.state.apply(book(1, bids=[("99", "1")], asks=[("101", "1")]))
    runtime.state.apply(trade("100", "0.1"))
    assert health(api_client)[0] == 200

    expected_feed[0] += 31_000
    status, body, _ = health(api_client)
    assert (status, body["down"]) == (503, ["feed"])
    feed = body["components"]["feed"]
    assert feed["stale"] == {"BTCUSDT": "no book update for 31 s"}
    assert feed["error"] == "1 market(s) stopped updating: BTCUSDT"
