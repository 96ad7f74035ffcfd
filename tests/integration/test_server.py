"""`paperex serve` for real: the ASGI server in its own process, spoken to over HTTP."""

from __future__ import annotations

from collections.abc import Iterator
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
    assert httpx.get(server + path, timeout=10).status_code == 200


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
    candles = closed_candles("BTCUSDT")
    assert candles[-1]["open_time"] > candles[0]["open_time"]
    assert all(c["closed"] for c in candles)
    assert len({c["close"] for c in candles}) > 1, "the price never moved"
