"""The bots API: starting a bot with checked input, each user's own bots only, and pause,
resume and stop as the bot's state allows."""

from __future__ import annotations

from typing import Any

import pytest

from paperex.apps.accounts.models import User
from paperex.apps.accounts.services import user_register
from tests.apps.research.conftest import client_of

pytestmark = pytest.mark.django_db
BOT = {
    "symbol": "btcusdt",
    "interval": "5m",
    "strategy": "ema_cross",
    "parameters": {"fast": 12},
    "allocation": "100",
}


def start(client: Any, **changes: Any) -> Any:
    return client.post("/api/bots/", {**BOT, **changes}, format="json")


def test_a_bot_starts_running_with_its_strategys_parameters(trader: User) -> None:
    answer = start(client_of(trader))
    assert answer.status_code == 201
    bot = answer.json()
    assert bot["url"] == f"/api/bots/{bot['id']}/"
    assert {key: bot[key] for key in BOT} == {
        "symbol": "BTCUSDT",
        "interval": "5m",
        "strategy": "ema_cross",
        "parameters": {"fast": 12, "slow": 26},
        "allocation": "100",
    }
    assert (bot["status"], bot["position"], bot["last_candle"], bot["note"]) == (
        "running",
        "0",
        None,
        "",
    )
    detail = client_of(trader).get(bot["url"]).json()
    assert (detail["quote_spent"], detail["orders"]) == ("0", [])
    assert detail["pnl"] in (None, "0")


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"symbol": "NOPEUSDT"}, "symbol", "no trading market NOPEUSDT"),
        ({"interval": "1s"}, "interval", '"1s" is not a valid choice.'),
        ({"strategy": "martingale"}, "strategy", "unknown strategy 'martingale'"),
        ({"parameters": {"fast": 30}}, "parameters", "ema_cross: slow (26) must be above fast"),
        ({"allocation": "4.99"}, "allocation", "allocation must be at least 5"),
        ({"allocation": "-1"}, "allocation", "allocation must be at least 5"),
    ],
)
def test_a_bot_that_cannot_run_is_refused_before_it_is_stored(
    trader: User, changes: dict[str, Any], field: str, message: str
) -> None:
    answer = start(client_of(trader), **changes)
    assert answer.status_code == 400
    assert message in answer.json()["errors"][field][0]
    assert client_of(trader).get("/api/bots/").json()["count"] == 0


def test_each_user_sees_and_changes_only_their_own_bots(trader: User) -> None:
    bot = start(client_of(trader)).json()
    bob = client_of(user_register(username="bob", password="correct-horse-battery"))
    assert bob.get("/api/bots/").json()["count"] == 0
    assert bob.get(bot["url"]).status_code == 404
    assert bob.post(f"{bot['url']}stop/").status_code == 404
    assert client_of(trader).get(bot["url"]).json()["status"] == "running"


def test_pause_resume_and_stop_follow_the_bots_state(trader: User) -> None:
    client = client_of(trader)
    url = start(client).json()["url"]

    def change(action: str) -> tuple[int, str]:
        answer = client.post(f"{url}{action}/")
        body = answer.json()
        return answer.status_code, body.get("status") or body["message"]

    assert change("pause") == (200, "paused")
    assert change("pause") == (409, f"Bot {url.split('/')[3]} is paused: it cannot pause.")
    assert change("resume") == (200, "running")
    assert change("stop") == (200, "stopped")
    assert change("resume")[0] == 409
    assert change("stop")[0] == 409
    assert client.get(url).json()["status"] == "stopped"


def test_bots_need_a_signed_in_user(api_client: Any) -> None:
    assert api_client.get("/api/bots/").status_code in (401, 403)
    assert api_client.post("/api/bots/", BOT, format="json").status_code in (401, 403)
