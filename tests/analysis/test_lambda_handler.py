"""The Lambda handler on recorded API Gateway (REST v1, HTTP v2) and S3 put events, against
the S3 test server."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

import pytest

from paperex.analysis.lambda_handler import ENDPOINT_VARIABLE, TARGET_VARIABLE, handler
from paperex.analysis.storage import open_target
from tests.analysis.test_figures import SMALL_DAY
from tests.support.s3_server import S3Bucket

EVENTS = Path(__file__).parent / "events"
PREFIX = "daily exports"
TRADES_KEY = f"{PREFIX}/2025/01/20/trades.csv"


def event(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((EVENTS / name).read_text())
    return loaded


@pytest.fixture
def exports(s3_bucket: S3Bucket, monkeypatch: pytest.MonkeyPatch) -> S3Bucket:
    """The Lambda's environment pointed at the test bucket, with one day of trades in it."""
    monkeypatch.setenv(TARGET_VARIABLE, s3_bucket.url(PREFIX))
    monkeypatch.setenv(ENDPOINT_VARIABLE, str(s3_bucket.settings.endpoint_url))
    s3_bucket.client.put_object(Bucket=s3_bucket.name, Key=TRADES_KEY, Body=SMALL_DAY.encode())
    return s3_bucket


def api_event(name: str, day: str | None) -> dict[str, Any]:
    shaped = event(name)
    shaped["queryStringParameters"] = None if day is None else {"date": day}
    return shaped


def s3_event(bucket: str, key: str) -> dict[str, Any]:
    shaped = copy.deepcopy(event("s3_put.json"))
    shaped["Records"][0]["s3"]["bucket"]["name"] = bucket
    shaped["Records"][0]["s3"]["object"]["key"] = quote_plus(key, safe="/")
    return shaped


def status_and_message(answer: dict[str, Any]) -> dict[str, Any]:
    assert json.loads(answer["body"]) == {"message": answer["message"]}
    return {"statusCode": answer["statusCode"], "message": answer["message"]}


@pytest.mark.parametrize("name", ["api_gateway_v1.json", "api_gateway_v2.json"])
def test_an_api_event_saves_the_analysis_next_to_the_trades(name: str, exports: S3Bucket) -> None:
    answer = handler(event(name), None)
    assert status_and_message(answer) == {
        "statusCode": 200,
        "message": "Analysis saved for 2025-01-20",
    }
    assert exports.object_keys() == [
        f"{PREFIX}/2025/01/20/analysis.csv",
        f"{PREFIX}/2025/01/20/analysis.json",
        TRADES_KEY,
    ]
    saved = open_target(exports.url(PREFIX), exports.settings)
    document = json.loads(saved.read_bytes("2025/01/20/analysis.json"))
    assert document["date"] == "2025-01-20"
    assert document["rows"][-1]["ticker"] == "TOTAL"
    assert document["rows"][-1]["realized_pnl"] == "735.125"
    assert saved.read_bytes("2025/01/20/analysis.csv").startswith(b"ticker,trades,")


@pytest.mark.parametrize("name", ["api_gateway_v1.json", "api_gateway_v2.json"])
def test_a_day_without_trades_is_a_404(name: str, exports: S3Bucket) -> None:
    answer = handler(api_event(name, "2025-01-21"), None)
    assert status_and_message(answer) == {
        "statusCode": 404,
        "message": "No trade data found for 2025-01-21",
    }


@pytest.mark.parametrize("name", ["api_gateway_v1.json", "api_gateway_v2.json"])
@pytest.mark.parametrize(
    ("day", "message"),
    [
        (None, "Missing date: use ?date=YYYY-MM-DD"),
        ("2025-02-30", "Invalid date '2025-02-30': expected YYYY-MM-DD"),
        ("20250120", "Invalid date '20250120': expected YYYY-MM-DD"),
    ],
)
def test_a_missing_or_bad_date_is_a_400(
    name: str, day: str | None, message: str, exports: S3Bucket
) -> None:
    answer = handler(api_event(name, day), None)
    assert status_and_message(answer) == {"statusCode": 400, "message": message}


def test_an_s3_put_of_a_days_trades_analyses_that_day(exports: S3Bucket) -> None:
    answer = handler(s3_event(exports.name, TRADES_KEY), None)
    assert status_and_message(answer) == {
        "statusCode": 200,
        "message": "Analysis saved for 2025-01-20",
    }
    assert f"{PREFIX}/2025/01/20/analysis.json" in exports.object_keys()


def test_the_recorded_s3_event_has_an_encoded_key() -> None:
    key = event("s3_put.json")["Records"][0]["s3"]["object"]["key"]
    assert key == "daily+exports/2025/01/20/trades.csv"


def test_an_s3_put_of_another_file_is_ignored_with_a_400(exports: S3Bucket) -> None:
    key = f"{PREFIX}/2025/01/20/analysis.json"
    answer = handler(s3_event(exports.name, key), None)
    assert answer["statusCode"] == 400
    assert answer["message"] == (f"Ignored s3://{exports.name}/{key}: not a YYYY/MM/DD/trades.csv")
    assert exports.object_keys() == [TRADES_KEY]


def test_a_malformed_file_is_a_422_naming_the_line(exports: S3Bucket) -> None:
    broken = SMALL_DAY.replace("BUY,100,10", "BUY,1e2,10")
    exports.client.put_object(Bucket=exports.name, Key=TRADES_KEY, Body=broken.encode())
    answer = handler(event("api_gateway_v2.json"), None)
    assert answer["statusCode"] == 422
    assert answer["message"].startswith("line 2, column price: '1e2'")


def test_a_missing_bucket_is_a_502_in_one_line(
    s3_bucket: S3Bucket, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(TARGET_VARIABLE, "s3://no-such-bucket/exports")
    monkeypatch.setenv(ENDPOINT_VARIABLE, str(s3_bucket.settings.endpoint_url))
    answer = handler(event("api_gateway_v1.json"), None)
    assert answer["statusCode"] == 502
    assert "no-such-bucket" in answer["message"]
    assert "\n" not in answer["message"]


def test_without_a_target_the_function_is_not_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(TARGET_VARIABLE, raising=False)
    answer = handler(event("api_gateway_v1.json"), None)
    assert status_and_message(answer) == {
        "statusCode": 500,
        "message": f"{TARGET_VARIABLE} is not set",
    }
