"""`paperex serve` for real: the ASGI server in its own process, spoken to over HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.integration.servers import prepared_environment, running_server
from tests.support.waiting import wait_until

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server with its own data folder and database."""
    with (
        prepared_environment(tmp_path_factory.mktemp("server-data")) as env,
        running_server(env) as url,
    ):
        yield url


@pytest.mark.parametrize(
    "path", ["/", "/api/health/", "/api/schema/", "/api/docs/", "/admin/login/"]
)
def test_pages_answer_200(server: str, path: str) -> None:
    answer = httpx.get(server + path, timeout=10)
    assert answer.status_code == 200, answer.text[:2000]


def test_static_files_are_served(server: str) -> None:
    docs = httpx.get(server + "/api/docs/", timeout=10).text
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in docs
    script = httpx.get(
        server + "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js"
    )
    assert script.status_code == 200
    assert len(script.content) > 100_000


def test_demo_user_gets_a_token_and_reads_its_account(server: str) -> None:
    with httpx.Client(base_url=server, timeout=10) as client:
        tokens = client.post("/api/token/", json={"username": "demo", "password": "demo12345"})
        assert tokens.status_code == 200
        headers = {"Authorization": f"Bearer {tokens.json()['access']}"}
        account = client.get("/api/account/", headers=headers).json()
    assert account["username"] == "demo"
    assert {"asset": "USD", "free": "100000", "locked": "0"} in account["balances"]


def test_markets_come_from_the_seed(server: str) -> None:
    markets = httpx.get(server + "/api/markets/", timeout=10).json()
    assert len(markets) == 11


def test_the_synthetic_feed_runs_by_default(server: str) -> None:
    feed = httpx.get(server + "/api/health/", timeout=10).json()["components"]["feed"]
    assert feed["running"] is True
    assert feed["feeds"][0]["venue"] == "synthetic"


def test_tickers_and_candles_of_every_market_change_over_time(server: str) -> None:
    symbols = [m["symbol"] for m in httpx.get(server + "/api/markets/", timeout=10).json()]

    def ticker(symbol: str) -> dict[str, Any] | None:
        response = httpx.get(f"{server}/api/markets/{symbol}/ticker/", timeout=10)
        return response.json() if response.status_code == 200 else None

    wait_until(
        lambda: all(ticker(s) for s in symbols),
        timeout=20,
        what="a ticker for every market",
        interval=0.2,
    )
    first = {s: ticker(s) for s in symbols}
    wait_until(
        lambda: all(ticker(s)["event_time"] > first[s]["event_time"] for s in symbols),  # type: ignore[index]
        timeout=20,
        what="every ticker to move on",
        interval=0.2,
    )

    def closed_candles(symbol: str) -> list[dict[str, Any]]:
        response = httpx.get(
            f"{server}/api/markets/{symbol}/candles/", params={"interval": "1s"}, timeout=10
        )
        return list(response.json())

    wait_until(
        lambda: all(len(closed_candles(s)) >= 3 for s in symbols),
        timeout=20,
        what="stored candles",
        interval=0.2,
    )
    answered = closed_candles("BTCUSDT")
    candles = [c for c in answered if c["closed"]]
    assert candles == answered[: len(candles)]  # only the last may be open (in a second it trades)
    assert candles[-1]["open_time"] > candles[0]["open_time"]
    assert len({c["close"] for c in candles}) > 1, "the price never moved"


DAY_MS = 24 * 60 * 60 * 1000


def _minute_candles(url: str, symbol: str) -> list[dict[str, Any]]:
    """Every 1m candle of ``symbol``, a page of 1000 at a time, oldest first."""
    candles: list[dict[str, Any]] = []
    while True:
        start = candles[-1]["open_time"] + 1 if candles else 0
        page = httpx.get(
            f"{url}/api/markets/{symbol}/candles/",
            params={"interval": "1m", "start": start, "limit": 1000},
            timeout=10,
        )
        assert page.status_code == 200
        candles += page.json()
        if len(page.json()) < 1000:
            return candles


def test_a_fresh_server_is_ready_with_a_day_of_history(tmp_path: Path) -> None:
    with prepared_environment(tmp_path) as env, running_server(env) as url:
        # The first 200 from /api/health/ has just come: nothing is waited for from here on.
        ticker = httpx.get(f"{url}/api/markets/BTCUSDT/ticker/", timeout=10)
        candles = _minute_candles(url, "BTCUSDT")
        hours = httpx.get(
            f"{url}/api/markets/ETHUSDT/candles/", params={"interval": "1h"}, timeout=10
        ).json()

    assert ticker.status_code == 200
    day = ticker.json()
    # A day, from the minute it starts in (as Binance's rolling window).
    assert day["open_time"] % 60_000 == 0
    assert DAY_MS <= day["close_time"] - day["open_time"] < DAY_MS + 60_000
    assert day["trade_count"] > 100_000  # a day of trades, not a few seconds'
    assert Decimal(day["high"]) > Decimal(day["low"])
    *closed, open_candle = candles
    assert not open_candle["closed"]
    last_day = [c for c in closed if c["open_time"] >= open_candle["open_time"] - DAY_MS]
    assert all(c["closed"] for c in last_day)
    assert [c["open_time"] for c in last_day] == list(
        range(open_candle["open_time"] - DAY_MS, open_candle["open_time"], 60_000)
    )  # 1440 minutes (one more is stored if a minute ended since the server became ready)
    assert len(hours) >= 25  # the day's hours and the open one
    assert not hours[-1]["closed"]
