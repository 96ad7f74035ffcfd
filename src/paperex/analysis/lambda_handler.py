"""The AWS Lambda entry point of the per-day analysis: ``paperex.analysis.lambda_handler.handler``.

Configuration, from the environment: ``PAPEREX_EXPORT_TARGET`` (``s3://bucket/prefix`` or a
folder), optionally ``PAPEREX_S3_ENDPOINT_URL`` (an S3-compatible server); credentials and region
come from boto3's own chain (``AWS_*``, the function's role).

Events:

- API Gateway, REST (v1) or HTTP (v2) payload: the day is ``?date=YYYY-MM-DD``.
- S3 put notification: the day comes from the object key ``[prefix/]YYYY/MM/DD/trades.csv``
  (URL-encoded in the event) and the files are read and written in the event's bucket and
  prefix; any other key is answered with a 400 and left alone.

Answers: ``{"statusCode": 200, "message": "Analysis saved for 2025-01-20"}``, 404 ``No trade data
found for 2025-01-20``, 400 for a missing or bad date or key, 422 for a malformed trades.csv,
502 when storage fails, 500 when the function is not configured. The same dict also carries
``body`` (the JSON ``{"message": ...}``) and ``headers``, so that it is a valid API Gateway
proxy response as it stands; ``statusCode`` and ``message`` are always exactly as above.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from datetime import date
from typing import Any
from urllib.parse import unquote_plus

from paperex.analysis.day import (
    TRADES_FILE,
    NoTradeDataError,
    analyze_day,
    save_analysis,
)
from paperex.analysis.storage import S3Settings, StorageError, Target, open_target
from paperex.analysis.trades_csv import TradesFileError, parse_day

TARGET_VARIABLE = "PAPEREX_EXPORT_TARGET"
ENDPOINT_VARIABLE = "PAPEREX_S3_ENDPOINT_URL"
_DAY_KEY = re.compile(rf"^(?:(?P<prefix>.*)/)?(?P<day>\d{{4}}/\d\d/\d\d)/{re.escape(TRADES_FILE)}$")


class _BadRequestError(Exception):
    """The event names no day the handler can analyse; the text says why."""


class _NotConfiguredError(Exception):
    """The function's environment lacks a setting; the text names it."""


def handler(event: Mapping[str, Any], context: object) -> dict[str, Any]:
    """Analyses the day the event names and saves the result next to its trades.csv; returns
    the answer described in the module docstring (never raises)."""
    try:
        target, day = _request(event)
        save_analysis(target, analyze_day(target, day))
    except _BadRequestError as error:
        return _answer(400, str(error))
    except NoTradeDataError as error:
        return _answer(404, str(error))
    except TradesFileError as error:
        return _answer(422, str(error))
    except StorageError as error:
        return _answer(502, str(error))
    except _NotConfiguredError as error:
        return _answer(500, str(error))
    return _answer(200, f"Analysis saved for {day.isoformat()}")


def _answer(status: int, message: str) -> dict[str, Any]:
    return {
        "statusCode": status,
        "message": message,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps({"message": message}),
    }


def _request(event: Mapping[str, Any]) -> tuple[Target, date]:
    settings = S3Settings(endpoint_url=os.environ.get(ENDPOINT_VARIABLE) or None)
    records = event.get("Records")
    if records:
        return _s3_request(records[0], settings)
    parameters = event.get("queryStringParameters") or {}
    text = parameters.get("date")
    if not text:
        raise _BadRequestError("Missing date: use ?date=YYYY-MM-DD")
    day = _day(text)
    url = os.environ.get(TARGET_VARIABLE)
    if not url:
        raise _NotConfiguredError(f"{TARGET_VARIABLE} is not set")
    return open_target(url, settings), day


def _s3_request(record: Mapping[str, Any], settings: S3Settings) -> tuple[Target, date]:
    try:
        bucket = record["s3"]["bucket"]["name"]
        key = unquote_plus(record["s3"]["object"]["key"])
    except (KeyError, TypeError):
        raise _BadRequestError("Not an S3 event: no s3.bucket.name and s3.object.key") from None
    match = _DAY_KEY.match(key)
    if match is None:
        raise _BadRequestError(f"Ignored s3://{bucket}/{key}: not a YYYY/MM/DD/{TRADES_FILE}")
    prefix = match["prefix"] or ""
    target = open_target(f"s3://{bucket}/{prefix}", settings)
    return target, _day(match["day"].replace("/", "-"))


def _day(text: str) -> date:
    try:
        return parse_day(text)
    except ValueError as error:
        raise _BadRequestError(str(error)) from None
