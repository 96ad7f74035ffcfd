"""The daily export: S3 key layout, the CSV, atomic overwrite, empty days, broken stores."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from paperex.analysis.trades_csv import COLUMNS
from paperex.apps.core.models import JobRun
from paperex.apps.journal.analyses import trades_analyze_day
from paperex.apps.journal.exports import ExportError, trades_export_day
from paperex.apps.journal.job_names import EXPORT_JOB
from paperex.config.environment import S3Access
from tests.apps.journal.conftest import AddTrade
from tests.support.network import unused_port
from tests.support.s3_server import S3Bucket

pytestmark = pytest.mark.django_db

DAY = date(2025, 1, 20)


def runs() -> list[tuple[str, str, str]]:
    return list(JobRun.objects.order_by("id").values_list("name", "key", "status"))


def test_a_day_goes_to_its_key_in_the_bucket(s3_export: S3Bucket, add_trade: AddTrade) -> None:
    add_trade("alice", "2025-01-19T23:59:59")
    first = add_trade("alice", "2025-01-20T09:30:00", ticker="MSFT", price=400)
    second = add_trade("bob", "2025-01-20T15:59:00.25", side="SELL", quantity="0.5")
    progress: list[tuple[int, int]] = []

    export = trades_export_day(day=DAY, on_rows=lambda done, total: progress.append((done, total)))

    key = "paperex/2025/01/20/trades.csv"
    assert s3_export.object_keys() == [key]
    assert export.rows == 2
    assert export.location == f"s3://{s3_export.name}/{key}"
    body = s3_export.client.get_object(Bucket=s3_export.name, Key=key)["Body"].read().decode()
    header, *rows = csv.reader(io.StringIO(body))
    assert header == list(COLUMNS)
    first_row = [str(first.pk), "alice", "MSFT", "BUY", "400", "10", "", ""]
    second_row = [str(second.pk), "bob", "AAPL", "SELL", "150.75", "0.5", "", ""]
    assert rows == [
        [*first_row, "2025-01-20T09:30:00.000000Z", "manual", ""],
        [*second_row, "2025-01-20T15:59:00.250000Z", "manual", ""],
    ]
    assert progress[-1] == (2, 2)
    assert runs() == [(EXPORT_JOB, "2025-01-20", "ok")]
    assert JobRun.objects.get().details == {"rows": 2, "location": export.location}


def test_a_day_again_replaces_the_file_whole(folder_export: Path, add_trade: AddTrade) -> None:
    add_trade("alice", "2025-01-20T09:30:00")
    trades_export_day(day=DAY)
    path = folder_export / "2025/01/20/trades.csv"
    assert path.read_text().count("\n") == 2

    add_trade("bob", "2025-01-20T10:00:00")
    export = trades_export_day(day=DAY)

    assert export.location == str(path)
    assert path.read_text().count("\n") == 3
    assert sorted(p.name for p in path.parent.iterdir()) == ["trades.csv"]


def test_a_day_without_trades_writes_nothing_and_says_so(
    s3_export: S3Bucket, add_trade: AddTrade
) -> None:
    add_trade("alice", "2025-01-21T00:00:00")
    export = trades_export_day(day=DAY)
    assert (export.rows, export.location) == (0, None)
    assert export.message == "No trades on 2025-01-20: nothing written."
    assert s3_export.object_keys() == []
    assert runs() == [(EXPORT_JOB, "2025-01-20", "ok")]


def test_a_missing_bucket_is_one_line_and_a_failed_run(
    settings: Any, s3_export: S3Bucket, add_trade: AddTrade
) -> None:
    add_trade("alice", "2025-01-20T09:30:00")
    settings.PAPEREX_EXPORT_TARGET = "s3://no-such-bucket-here/paperex"
    with pytest.raises(ExportError) as raised:
        trades_export_day(day=DAY)
    message = str(raised.value)
    assert "no-such-bucket-here" in message
    assert "\n" not in message
    assert runs() == [(EXPORT_JOB, "2025-01-20", "failed")]
    assert JobRun.objects.get().message == message


def test_an_unreachable_endpoint_writes_nothing(
    settings: Any, folder_export: Path, add_trade: AddTrade
) -> None:
    add_trade("alice", "2025-01-20T09:30:00")
    settings.PAPEREX_EXPORT_TARGET = "s3://journal/paperex"
    settings.PAPEREX_S3 = S3Access(
        endpoint_url=f"http://127.0.0.1:{unused_port()}",
        region="us-east-1",
        access_key_id="key",
        secret_access_key="secret",
    )
    with pytest.raises(ExportError) as raised:
        trades_export_day(day=DAY)
    assert "\n" not in str(raised.value)
    assert runs() == [(EXPORT_JOB, "2025-01-20", "failed")]
    assert not folder_export.exists()


def test_any_ticker_the_journal_takes_exports_and_analyses(
    folder_export: Path, alice_client: Any
) -> None:
    for ticker in ("EURUSD=X", "BTC/USDT", "BRK.B", "es:cme"):
        answer = alice_client.post(
            "/api/trades/",
            {"ticker": ticker, "side": "buy", "price": "1.5", "quantity": "2", "fee": "0.1"}
            | {"fee_asset": "usd", "timestamp": "2025-01-20T10:00:00Z"},
            format="json",
        )
        assert answer.status_code == 201, answer.json()
    assert trades_export_day(day=DAY).rows == 4
    assert trades_analyze_day(day=DAY).status_code == 200
    document = json.loads((folder_export / "2025/01/20/analysis.json").read_text())
    assert [row["ticker"] for row in document["rows"]] == [
        "BRK.B",
        "BTC/USDT",
        "ES:CME",
        "EURUSD=X",
        "TOTAL",
    ]
