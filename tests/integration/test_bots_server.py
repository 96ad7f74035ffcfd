"""A live paper bot in a real server on the synthetic market: it buys on its first closed candle
through the real engine, is paused and resumed, and after the server restarts it decides on the
next candle without buying again; its reconciliation with its backtest is computed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.integration.servers import demo_token, prepared_environment, running_server
from tests.support.waiting import wait_until

pytestmark = pytest.mark.integration
CANDLE_WAIT = 90
"""Seconds to wait for the next one-minute candle to close and the bot to decide on it."""


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    with prepared_environment(tmp_path_factory.mktemp("bots-data")) as prepared:
        yield prepared


def bot_of(url: str, headers: dict[str, str], bot_id: int) -> dict[str, Any]:
    answer = httpx.get(f"{url}/api/bots/{bot_id}/", headers=headers, timeout=10)
    answer.raise_for_status()
    body: dict[str, Any] = answer.json()
    return body


def test_a_bot_trades_is_paused_and_survives_a_restart_without_buying_twice(
    env: dict[str, str],
) -> None:
    with running_server(env) as url:
        headers = {"Authorization": f"Bearer {demo_token(url)}"}
        started = httpx.post(
            f"{url}/api/bots/",
            json={"symbol": "BTCUSDT", "strategy": "buy_and_hold", "allocation": "100"},
            headers=headers,
            timeout=10,
        )
        assert started.status_code == 201, started.text
        bot_id = started.json()["id"]

        def bought() -> dict[str, Any] | None:
            bot = bot_of(url, headers, bot_id)
            return bot if bot["orders_placed"] == 1 else None

        bot = wait_until(bought, timeout=CANDLE_WAIT, interval=1, what="the first order")
        assert bot is not None
        (order,) = bot["orders"]
        assert (order["side"], order["status"]) == ("BUY", "FILLED")
        assert order["client_order_id"] == f"bot{bot_id}-{bot['last_candle']}"
        assert 99 < float(order["cumulative_quote"]) <= 100
        mine = httpx.get(f"{url}/api/orders/{order['id']}/", headers=headers, timeout=10).json()
        assert mine["client_order_id"] == order["client_order_id"]  # the user's own order

        for action, status in (("pause", "paused"), ("resume", "running")):
            changed = httpx.post(f"{url}/api/bots/{bot_id}/{action}/", headers=headers, timeout=10)
            assert changed.json()["status"] == status

    with running_server(env) as url:
        headers = {"Authorization": f"Bearer {demo_token(url)}"}

        def decided_again() -> dict[str, Any] | None:
            now = bot_of(url, headers, bot_id)
            return now if now["last_candle"] > bot["last_candle"] else None

        after = wait_until(decided_again, timeout=CANDLE_WAIT, interval=1, what="a decision")
        assert after is not None
        assert (after["status"], after["orders_placed"], after["position"]) == (
            "running",
            1,
            bot["position"],
        )
        compared = httpx.get(
            f"{url}/api/bots/{bot_id}/reconciliation/", headers=headers, timeout=30
        ).json()
        (trade,) = compared["trades"]
        assert trade["entry_time"] == bot["last_candle"]
        assert trade["backtest"] is not None
        assert trade["live"] is not None
        assert trade["live"]["exit_time"] is None
