"""Backtests over REST: queued with JSON (stored candles) or a CSV upload, run in the
background to done, listed and read by their owner only, deleted; bad requests refused at once
in one line."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from paperex.apps.accounts.models import User
from paperex.apps.accounts.services import user_register
from paperex.apps.research.candles import stored_bars
from paperex.apps.research.models import BacktestRun
from paperex.backtest.document import result_document
from paperex.backtest.execution import Execution
from paperex.backtest.run import run_backtest
from paperex.backtest.strategies import SmaCross
from tests.apps.research.conftest import STORED_CANDLES, client_of, csv_of, finished

MARKET_REQUEST = {
    "symbol": "BTCUSDT",
    "interval": "1m",
    "start": "2024-01-01",
    "end": "2024-01-02T00:00:00Z",
    "strategy": "sma_cross",
    "parameters": {"fast": 5, "slow": 20},
    "fee": 0.001,
    "slippage_bps": 2,
}


def queue(client: Any, body: dict[str, Any]) -> dict[str, Any]:
    answer = client.post("/api/backtests/", body, format="json")
    assert answer.status_code == 202, answer.json()
    queued: dict[str, Any] = answer.json()
    return queued


@pytest.mark.django_db(transaction=True)
def test_a_backtest_on_stored_candles_runs_to_done(trader: User, candles: list[float]) -> None:
    client = client_of(trader)
    queued = queue(client, MARKET_REQUEST)
    assert queued["status"] == "queued"
    assert queued["url"] == f"/api/backtests/{queued['id']}/"

    run = finished(client, queued["url"])

    assert run["status"] == "done", run["error"]
    assert (run["progress"], run["error"]) == (100, "")
    assert run["request"]["source"] == {
        "kind": "market",
        "symbol": "BTCUSDT",
        "interval": "1m",
        "start": "2024-01-01T00:00:00Z",
        "end": "2024-01-02T00:00:00Z",
    }
    assert run["request"]["parameters"] == {"fast": 5, "slow": 20}
    assert run["request"]["execution"]["slippage_bps"] == 2
    expected = result_document(
        run_backtest(
            stored_bars("BTCUSDT", "1m"),
            SmaCross(fast=5, slow=20),
            Execution(fee=0.001, slippage_bps=2, step_size=0.00001, min_notional=5.0),
        )
    )
    assert run["statistics"] == expected["statistics"]
    counts_and_times = ("start", "end", "max_drawdown_duration", "trades", "open_trades")
    assert all(type(run["statistics"][name]) is int for name in counts_and_times)
    assert run["buy_and_hold"] == expected["buy_and_hold"]
    assert run["trades"] == expected["trades"]
    assert len(run["trades"]) >= 2
    assert run["bars"]["count"] == STORED_CANDLES
    series = run["series"]
    assert len(series["time"]) == len(series["equity"]) == STORED_CANDLES
    assert series["close"] == candles
    assert series["equity"][-1] == pytest.approx(run["statistics"]["final_equity"])
    assert run["started_at"] <= run["finished_at"]


@pytest.mark.django_db(transaction=True)
def test_a_csv_alone_runs_the_50_200_crossover_with_a_thinned_series(trader: User) -> None:
    client = client_of(trader)
    upload = SimpleUploadedFile("prices.csv", csv_of(2_500), content_type="text/csv")
    answer = client.post("/api/backtests/", {"csv": upload}, format="multipart")
    assert answer.status_code == 202, answer.json()

    run = finished(client, answer.json()["url"])

    assert run["status"] == "done", run["error"]
    assert run["request"]["source"] == {"kind": "csv", "name": "prices.csv"}
    assert (run["request"]["strategy"], run["request"]["parameters"]) == (
        "sma_cross",
        {"fast": 50, "slow": 200},
    )
    assert run["request"]["execution"]["fee"] == 0.001
    assert run["statistics"]["trades"] >= 1
    series = run["series"]
    assert set(series) == {"time", "close", "equity", "buy_and_hold", "drawdown"}
    assert all(len(values) == 1_000 for values in series.values())
    assert series["time"][0] == run["bars"]["start"]
    assert series["time"][-1] == run["bars"]["end"]
    assert series["equity"][-1] == pytest.approx(run["statistics"]["final_equity"])
    assert series["buy_and_hold"][-1] == pytest.approx(run["buy_and_hold"]["final_equity"])


def test_a_csv_with_its_own_strategy_and_settings_in_the_form(trader: User) -> None:
    upload = SimpleUploadedFile("p.csv", csv_of(100))
    answer = client_of(trader).post(
        "/api/backtests/",
        {
            "csv": upload,
            "strategy": "ema_cross",
            "parameters": '{"fast": 3, "slow": 9}',
            "allow_short": "true",
            "cash": "500",
        },
        format="multipart",
    )
    assert answer.status_code == 202, answer.json()
    run = BacktestRun.objects.get(pk=answer.json()["id"])
    assert run.request["parameters"] == {"fast": 3, "slow": 9}
    assert run.request["execution"]["allow_short"] is True
    assert run.request["execution"]["cash"] == 500
    assert bytes(run.csv or b"") == csv_of(100)


def market(**changes: Any) -> dict[str, Any]:
    return {**MARKET_REQUEST, **changes}


BAD_MARKET_REQUESTS = [
    (market(strategy="magic"), "invalid", "unknown strategy 'magic': use one of sma_cross"),
    (market(strategy="x.py:Mine"), "invalid", "unknown strategy 'x.py:Mine'"),
    (
        market(parameters={"speed": 3}),
        "invalid",
        "sma_cross has no parameter 'speed' (it has: fast, slow)",
    ),
    (market(parameters={"fast": "x"}), "invalid", "sma_cross: fast must be int, not 'x'"),
    (market(parameters=[5, 20]), "invalid", "parameters: parameters must be an object"),
    (
        market(parameters={"fast": 20, "slow": 10}),
        "invalid",
        "sma_cross: slow (10) must be above fast (20)",
    ),
    (
        market(parameters={}),
        "invalid",
        f"sma_cross needs more than 200 bars; the data has {STORED_CANDLES}",
    ),
    (market(symbol="DOGEUSDT"), "UNKNOWN_SYMBOL", "no market DOGEUSDT"),
    (market(interval="7m"), "invalid", 'interval: "7m" is not a valid choice.'),
    (
        market(interval="1h"),
        "no_market_data",
        "no stored 1h candles of BTCUSDT in that range",
    ),
    (
        market(start="2030-01-01", end="2030-02-01"),
        "no_market_data",
        "no stored 1m candles of BTCUSDT in that range",
    ),
    (market(start="soon"), "invalid", "start: not a date or an ISO 8601 time: 'soon'"),
    (market(end="2023-12-31"), "invalid", "end: end must be after start"),
    (market(fee=0.5), "invalid", "fee must be in [0, 0.1)"),
    (market(size=2), "invalid", "size must be in (0, 1]"),
    (market(cash=0), "invalid", "cash must be > 0"),
    (market(slippage_bps=-1), "invalid", "slippage must be in [0, 1000) basis points"),
    (market(fill_at="noon"), "invalid", 'fill_at: "noon" is not a valid choice.'),
    ({"interval": "1m"}, "invalid", "symbol: This field is required."),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("body", "code", "message"), BAD_MARKET_REQUESTS)
def test_a_request_that_cannot_run_is_a_400_in_one_line(
    trader: User, candles: list[float], body: dict[str, Any], code: str, message: str
) -> None:
    answer = client_of(trader).post("/api/backtests/", body, format="json")
    assert answer.status_code == 400
    error = answer.json()
    assert error["code"] == code
    assert error["message"].startswith(message)
    assert "\n" not in error["message"]
    assert not BacktestRun.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "code", "message"),
    [
        (b"hello,world\n1,2\n", "malformed_file", "no time column (one of time, date"),
        (b"time,close\n", "malformed_file", "the CSV has no rows after its header"),
        (b"time,close\n2024-01-01,1\nyesterday,2\n", "malformed_file", "line 3: time"),
        (csv_of(150), "invalid", "sma_cross needs more than 200 bars; the data has 150"),
    ],
)
def test_a_csv_that_cannot_run_is_a_400_in_one_line(
    trader: User, content: bytes, code: str, message: str
) -> None:
    upload = SimpleUploadedFile("bad.csv", content)
    answer = client_of(trader).post("/api/backtests/", {"csv": upload}, format="multipart")
    assert answer.status_code == 400
    error = answer.json()
    assert (error["code"], error["errors"]) == (code, {"csv": [error["message"]]})
    assert error["message"].startswith(message)
    assert not BacktestRun.objects.exists()


@pytest.mark.django_db
def test_a_form_without_a_file_is_a_400(trader: User) -> None:
    answer = client_of(trader).post(
        "/api/backtests/", {"strategy": "sma_cross"}, format="multipart"
    )
    assert answer.status_code == 400
    assert answer.json()["message"] == "csv: No file was submitted."


@pytest.mark.django_db
def test_each_user_sees_and_deletes_only_their_own(trader: User, candles: list[float]) -> None:
    alice = client_of(trader)
    first = queue(alice, MARKET_REQUEST)
    second = queue(alice, market(strategy="ema_cross", parameters={}))
    bob = client_of(user_register(username="bob", password="correct-horse-battery"))

    assert bob.get("/api/backtests/").json()["count"] == 0
    assert bob.get(first["url"]).status_code == 404
    assert bob.get(first["url"]).json()["code"] == "not_found"
    assert bob.delete(first["url"]).status_code == 404

    listed = alice.get("/api/backtests/").json()
    assert listed["count"] == 2
    assert [row["id"] for row in listed["results"]] == [second["id"], first["id"]]
    row = listed["results"][0]
    assert set(row) == {
        "id",
        "url",
        "status",
        "progress",
        "request",
        "error",
        "created_at",
        "started_at",
        "finished_at",
    }
    assert (row["status"], row["progress"]) == ("queued", 0)
    assert alice.get("/api/backtests/?limit=1").json()["results"][0]["id"] == second["id"]
    assert alice.get(first["url"]).json()["statistics"] is None  # not run yet

    assert alice.delete(first["url"]).status_code == 204
    assert alice.get(first["url"]).status_code == 404
    assert alice.delete(first["url"]).status_code == 404
    assert [row["id"] for row in alice.get("/api/backtests/").json()["results"]] == [second["id"]]


@pytest.mark.django_db
def test_backtests_need_a_user(api_client: Any) -> None:
    assert api_client.get("/api/backtests/").status_code == 401
    assert api_client.post("/api/backtests/", MARKET_REQUEST, format="json").status_code == 401
