"""/api/health/ tells the truth: 503 naming what is down (database, channel layer, engine,
market data) and 200 only when an order would be taken; /api/health/live/ is the process."""

from __future__ import annotations

import os
from typing import Any

import pytest
from django.db import connection
from rest_framework.test import APIClient

from paperex.apps.marketdata.runtime import MarketDataRuntime, runtime
from paperex.apps.markets.models import Market
from paperex.apps.trading.gateway.gateway import engine_gateway
from paperex.apps.trading.host.host import EngineHost
from paperex.engine.reference import reference_book_command, reference_trade_command
from paperex.marketdata.live_view import LiveMarketView
from tests.support.market_events import book, delta, quote, ticker, trade
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


def whole_markets(symbols: list[str]) -> None:
    """Give each market what it takes to be shown whole: a book, a trade and a 24 h ticker."""
    for symbol in symbols:
        runtime.state.apply(book(1, symbol=symbol, bids=[("99", "1")], asks=[("101", "1")]))
        runtime.state.apply(trade("100", "0.1", symbol=symbol))
        runtime.state.apply(ticker("100", symbol=symbol))


def trading_symbols() -> list[str]:
    return list(Market.objects.values_list("symbol", flat=True))


def test_market_data_that_stopped_arriving_is_503(
    api_client: APIClient, engine_host: EngineHost, expected_feed: list[int], settings: Any
) -> None:
    settings.PAPEREX_FEED_STALE_SECONDS = 30
    status, body, _ = health(api_client)
    assert (status, body["down"]) == (503, ["feed"])
    assert body["components"]["feed"]["error"] == "no market data has arrived"

    whole_markets(trading_symbols())
    assert health(api_client)[0] == 200

    expected_feed[0] += 31_000
    whole_markets([symbol for symbol in trading_symbols() if symbol != "BTCUSDT"])
    status, body, _ = health(api_client)
    assert (status, body["down"]) == (503, ["feed"])
    feed = body["components"]["feed"]
    assert feed["stale"] == {"BTCUSDT": "no book update for 31 s"}
    assert feed["error"] == "1 market(s) stopped updating: BTCUSDT"


def test_ready_only_once_every_trading_market_can_be_shown_whole(
    api_client: APIClient, engine_host: EngineHost, expected_feed: list[int]
) -> None:
    symbols = trading_symbols()
    whole_markets([symbol for symbol in symbols if symbol not in {"BTCUSDT", "ETHUSDT", "AAPL"}])
    runtime.state.apply(book(1, symbol="BTCUSDT"))
    runtime.state.apply(trade(symbol="BTCUSDT"))  # no 24 h ticker yet
    runtime.state.apply(trade(symbol="ETHUSDT"))
    runtime.state.apply(ticker(symbol="ETHUSDT"))  # a ticker, but no book yet
    status, body, _ = health(api_client)
    assert (status, body["down"]) == (503, ["feed"])
    feed = body["components"]["feed"]
    assert feed["not_ready"] == {
        "AAPL": "no market data yet",
        "BTCUSDT": "no 24 h ticker yet",
        "ETHUSDT": "its book is not in sync",
    }
    assert feed["error"] == (
        "3 market(s) not ready: AAPL (no market data yet), BTCUSDT (no 24 h ticker yet), "
        "ETHUSDT (its book is not in sync)"
    )

    runtime.state.apply(quote(symbol="AAPL"))  # a stock is whole with its quote
    runtime.state.apply(ticker(symbol="BTCUSDT"))
    runtime.state.apply(book(1, symbol="ETHUSDT"))
    assert health(api_client)[0] == 200
    Market.objects.filter(symbol="ETHUSDT").update(status=Market.Status.BREAK)
    runtime.state.apply(delta(5, 6, symbol="ETHUSDT"))  # a gap: out of sync, no longer trading
    assert health(api_client)[0] == 200


@pytest.mark.django_db(transaction=True)
def test_not_ready_while_a_paper_market_waits_for_its_reference_market(
    api_client: APIClient, market_data: None, expected_feed: list[int]
) -> None:
    whole_markets(trading_symbols())
    host = EngineHost(reference_feed=True)
    host.start()
    engine_gateway.attach(host)
    try:
        status, body, _ = health(api_client)
        assert (status, body["down"]) == (503, ["engine"])
        engine = body["components"]["engine"]
        waiting = engine["markets_not_ready"]
        assert "BTCUSDT" in waiting
        assert waiting == sorted(waiting)
        assert engine["error"].startswith(f"{len(waiting)} market(s) wait for their reference")

        assert host.catalog is not None
        for symbol in waiting:
            instrument = host.catalog.markets[symbol].spec.instrument
            snapshot = reference_book_command(book(symbol=symbol), instrument, is_snapshot=True)
            host.submit(snapshot).result(5)
            host.submit(reference_trade_command(trade(symbol=symbol), instrument)).result(5)
        assert health(api_client)[0] == 200
    finally:
        engine_gateway.attach(None)
        host.stop()
