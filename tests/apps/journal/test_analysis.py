"""The per-day analysis run here and on Lambda, and its REST API (the older tools' request)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from rest_framework.test import APIClient

from paperex.analysis import lambda_handler
from paperex.apps.accounts.models import User
from paperex.apps.core.models import JobRun
from paperex.apps.journal.analyses import trade_analysis_run, trades_analyze_day
from paperex.apps.journal.exports import trades_export_day
from paperex.apps.journal.job_names import ANALYZE_JOB
from tests.apps.journal.conftest import AddTrade
from tests.support.lambda_server import lambda_server
from tests.support.s3_server import S3Bucket

pytestmark = pytest.mark.django_db

DAY = date(2025, 1, 20)


def a_day_of_trades(add_trade: AddTrade) -> None:
    """AAPL: buys 10 @ 100 and 5 @ 110, then sells 12 @ 120 (FIFO: 10 @ 100 and 2 @ 110 are
    closed for 1440 - 1220 = 220); bob buys 2 MSFT @ 400.5 with a fee; one trade the next day."""
    add_trade("alice", "2025-01-20T09:30:00", price="100", quantity="10")
    add_trade("alice", "2025-01-20T10:00:00", price="110", quantity="5")
    add_trade("alice", "2025-01-20T15:00:00", side="SELL", price="120", quantity="12")
    add_trade("bob", "2025-01-20T12:00:00", ticker="MSFT", price="400.5", quantity="2", fee="1.5")
    add_trade("bob", "2025-01-21T00:00:00", ticker="MSFT", price="1", quantity="1")


def by_ticker(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {row["ticker"]: row for row in document["rows"]}


def test_the_day_is_analysed_and_saved_beside_its_trades(
    folder_export: Path, add_trade: AddTrade
) -> None:
    a_day_of_trades(add_trade)
    trades_export_day(day=DAY)

    answer = trades_analyze_day(day=DAY)

    assert answer.body() == {"statusCode": 200, "message": "Analysis saved for 2025-01-20"}
    day_folder = folder_export / "2025/01/20"
    assert sorted(p.name for p in day_folder.iterdir()) == [
        "analysis.csv",
        "analysis.json",
        "trades.csv",
    ]
    document = json.loads((day_folder / "analysis.json").read_text())
    assert document["date"] == "2025-01-20"
    rows = by_ticker(document)
    assert list(rows) == ["AAPL", "MSFT", "TOTAL"]
    aapl = rows["AAPL"]
    assert (aapl["trades"], aapl["buy_quantity"], aapl["sell_quantity"]) == (3, "15", "12")
    assert (aapl["volume"], aapl["notional"], aapl["high"], aapl["low"]) == (
        "27",
        "2990",
        "120",
        "100",
    )
    assert aapl["vwap"].startswith("110.74074074")
    assert aapl["realized_pnl"] == "220"
    assert (aapl["first_trade"], aapl["last_trade"]) == (
        "2025-01-20T09:30:00.000000Z",
        "2025-01-20T15:00:00.000000Z",
    )
    assert (rows["MSFT"]["notional"], rows["MSFT"]["realized_pnl"]) == ("801", "0")
    assert rows["MSFT"]["fees"] == {"": "1.5"}
    assert (rows["TOTAL"]["trades"], rows["TOTAL"]["notional"]) == (4, "3791")
    csv_lines = (day_folder / "analysis.csv").read_text().splitlines()
    assert csv_lines[0].startswith("ticker,trades,")
    assert [line.split(",")[0] for line in csv_lines[1:]] == ["AAPL", "MSFT", "TOTAL"]
    assert JobRun.objects.filter(name=ANALYZE_JOB, key="2025-01-20", status="ok").exists()


def test_a_day_without_its_file_is_a_404(folder_export: Path) -> None:
    answer = trades_analyze_day(day=DAY)
    assert answer.body() == {"statusCode": 404, "message": "No trade data found for 2025-01-20"}


def test_a_malformed_file_is_a_422_and_a_failed_run(folder_export: Path) -> None:
    path = folder_export / "2025/01/20/trades.csv"
    path.parent.mkdir(parents=True)
    path.write_text("id,user,ticker\n1,alice,AAPL\n")
    answer = trades_analyze_day(day=DAY)
    assert answer.status_code == 422
    assert "malformed" in answer.message
    assert JobRun.objects.get(name=ANALYZE_JOB).status == "failed"


def test_the_analysis_is_saved_beside_the_trades_in_the_bucket(
    s3_export: S3Bucket, add_trade: AddTrade
) -> None:
    a_day_of_trades(add_trade)
    trades_export_day(day=DAY)
    assert trades_analyze_day(day=DAY).status_code == 200
    assert s3_export.object_keys() == [
        "paperex/2025/01/20/analysis.csv",
        "paperex/2025/01/20/analysis.json",
        "paperex/2025/01/20/trades.csv",
    ]


@pytest.fixture
def lambda_function(settings: Any, s3_export: S3Bucket, monkeypatch: pytest.MonkeyPatch) -> Any:
    """PAPEREX_ANALYSIS_LAMBDA names a function served by a local Lambda endpoint that runs
    the real handler, configured as a deployed function would be."""
    monkeypatch.setenv(lambda_handler.TARGET_VARIABLE, settings.PAPEREX_EXPORT_TARGET)
    monkeypatch.setenv(lambda_handler.ENDPOINT_VARIABLE, s3_export.settings.endpoint_url or "")
    with lambda_server({"paperex-trade-analysis": lambda_handler.handler}) as endpoint:
        settings.PAPEREX_ANALYSIS_LAMBDA = "paperex-trade-analysis"
        settings.PAPEREX_LAMBDA_ENDPOINT_URL = endpoint
        yield endpoint


def test_the_configured_lambda_function_runs_the_analysis(
    lambda_function: str, s3_export: S3Bucket, add_trade: AddTrade
) -> None:
    a_day_of_trades(add_trade)
    trades_export_day(day=DAY)
    assert trade_analysis_run(day=DAY).body() == {
        "statusCode": 200,
        "message": "Analysis saved for 2025-01-20",
    }
    assert "paperex/2025/01/20/analysis.json" in s3_export.object_keys()
    assert trade_analysis_run(day=date(2025, 1, 22)).body() == {
        "statusCode": 404,
        "message": "No trade data found for 2025-01-22",
    }


def test_an_unknown_lambda_function_is_a_503(lambda_function: str, settings: Any) -> None:
    settings.PAPEREX_ANALYSIS_LAMBDA = "no-such-function"
    answer = trade_analysis_run(day=DAY)
    assert answer.status_code == 503
    assert "no-such-function" in answer.message
    assert JobRun.objects.get(name=ANALYZE_JOB).status == "failed"


def test_a_function_that_cannot_work_is_a_503(
    lambda_function: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(lambda_handler.TARGET_VARIABLE)
    answer = trade_analysis_run(day=DAY)
    assert answer.status_code == 503
    assert lambda_handler.TARGET_VARIABLE in answer.message


# ------------------------------------------------------------------ REST


@pytest.fixture
def operator(django_user_model: type[User]) -> APIClient:
    client = APIClient()
    client.force_authenticate(django_user_model.objects.create(username="ops", is_staff=True))
    return client


def test_the_older_clients_requests_and_answers(
    folder_export: Path, add_trade: AddTrade, alice_client: APIClient
) -> None:
    a_day_of_trades(add_trade)
    trades_export_day(day=DAY)

    saved = alice_client.get("/api/trade-analysis/?date=2025-01-20")
    assert saved.status_code == 200
    assert saved.json() == {"statusCode": 200, "message": "Analysis saved for 2025-01-20"}

    missing = alice_client.get("/api/trade-analysis/?date=2025-01-22")
    assert missing.status_code == 404
    assert missing.json()["statusCode"] == 404
    assert missing.json()["message"] == "No trade data found for 2025-01-22"

    for query in ("", "?date=", "?date=2025-02-30", "?date=20-01-2025"):
        bad = alice_client.get(f"/api/trade-analysis/{query}")
        assert bad.status_code == 400, query
        assert bad.json()["statusCode"] == 400
        assert bad.json()["code"] == "invalid"


def test_an_unreachable_store_is_a_503_with_retry_after(
    settings: Any, folder_export: Path, alice_client: APIClient
) -> None:
    settings.PAPEREX_EXPORT_TARGET = "s3:///nothing"
    answer = alice_client.get("/api/trade-analysis/?date=2025-01-20")
    assert answer.status_code == 503
    assert answer["Retry-After"]
    assert answer.json()["code"] == "storage_unavailable"


def test_staff_read_the_saved_day_and_users_their_own_trades_of_it(
    folder_export: Path, add_trade: AddTrade, alice_client: APIClient, operator: APIClient
) -> None:
    a_day_of_trades(add_trade)
    trades_export_day(day=DAY)
    assert operator.get("/api/trade-analysis/2025-01-20/").status_code == 404
    operator.get("/api/trade-analysis/?date=2025-01-20")

    everyone = operator.get("/api/trade-analysis/2025-01-20/").json()
    assert everyone["scope"] == "all"
    assert list(by_ticker(everyone)) == ["AAPL", "MSFT", "TOTAL"]

    own = alice_client.get("/api/trade-analysis/2025-01-20/").json()
    assert own["scope"] == "mine"
    assert list(by_ticker(own)) == ["AAPL", "TOTAL"]
    assert by_ticker(own)["AAPL"] == by_ticker(everyone)["AAPL"]
    assert alice_client.get("/api/trade-analysis/2025-01-23/").status_code == 404
    for day in ("2025-13-01", "0", "yesterday"):
        assert alice_client.get(f"/api/trade-analysis/{day}/").status_code == 404
