"""Every refusal of ``/api/v3`` is Binance's: its code, exact message and HTTP status."""

from __future__ import annotations

import pytest
from django.db import OperationalError
from django.test import Client

pytestmark = pytest.mark.django_db

INTEGER = "^[0-9]{1,20}$"
SYMBOL = "^[A-Z0-9-_.]{1,20}$"
SYMBOLS = '^\\[("[A-Z0-9-_.]{1,20}"(,"[A-Z0-9-_.]{1,20}"){0,}){0,1}\\]$'


def missing(name: str) -> tuple[int, str]:
    return -1102, f"Mandatory parameter '{name}' was not sent, was empty/null, or malformed."


def illegal(name: str, legal_range: str) -> tuple[int, str]:
    return -1100, f"Illegal characters found in parameter '{name}'; legal range is '{legal_range}'."


INVALID_SYMBOL = (-1121, "Invalid symbol.")

CASES = [
    ("depth", {"symbol": "NOPE"}, INVALID_SYMBOL),
    ("trades", {"symbol": "XRPUSDT"}, INVALID_SYMBOL),
    ("ticker/24hr", {"symbols": '["BTCUSDT","NOPE"]'}, INVALID_SYMBOL),
    ("ticker/price", {"symbol": "btcusdt"}, illegal("symbol", SYMBOL)),
    ("depth", {}, missing("symbol")),
    ("klines", {"symbol": "BTCUSDT"}, missing("interval")),
    ("avgPrice", {}, missing("symbol")),
    ("depth", {"symbol": ""}, (-1105, "Parameter 'symbol' was empty.")),
    ("depth", {"symbol": "BTCUSDT", "limit": "many"}, illegal("limit", INTEGER)),
    ("trades", {"symbol": "BTCUSDT", "limit": "-5"}, illegal("limit", INTEGER)),
    (
        "klines",
        {"symbol": "BTCUSDT", "interval": "1m", "limit": "0"},
        (-1130, "Data sent for parameter 'limit' is not valid."),
    ),
    ("aggTrades", {"symbol": "BTCUSDT", "startTime": "yesterday"}, illegal("startTime", INTEGER)),
    ("klines", {"symbol": "BTCUSDT", "interval": "2m"}, (-1120, "Invalid interval.")),
    ("uiKlines", {"symbol": "BTCUSDT", "interval": "1w"}, (-1120, "Invalid interval.")),
    (
        "klines",
        {"symbol": "BTCUSDT", "interval": "1m", "timeZone": "8"},
        (-1130, "Data sent for parameter 'timeZone' is not valid."),
    ),
    ("ticker/price", {"symbols": "BTCUSDT"}, illegal("symbols", SYMBOLS)),
    (
        "ticker/bookTicker",
        {"symbol": "BTCUSDT", "symbols": '["BTCUSDT"]'},
        (-1128, "Combination of optional parameters invalid."),
    ),
    (
        "exchangeInfo",
        {"symbols": '["BTCUSDT","BTCUSDT"]'},
        (-1151, "Symbol is present multiple times in the list."),
    ),
    ("ticker/24hr", {"symbol": "BTCUSDT", "type": "HUGE"}, (-1139, "Invalid ticker type.")),
    (
        "ping",
        {"extra": "1"},
        (-1104, "Not all sent parameters were read; read '0' parameter(s) but was sent '1'."),
    ),
    (
        "depth",
        {"symbol": "BTCUSDT", "side": "BUY"},
        (-1104, "Not all sent parameters were read; read '1' parameter(s) but was sent '2'."),
    ),
]


@pytest.mark.parametrize(("path", "query", "expected"), CASES)
def test_bad_requests_are_400_with_binance_code_and_message(
    client: Client, seeded: None, path: str, query: dict[str, str], expected: tuple[int, str]
) -> None:
    response = client.get(f"/api/v3/{path}", query)
    assert response.status_code == 400
    code, message = expected
    assert response.json() == {"code": code, "msg": message}


@pytest.mark.parametrize("path", ["/api/v3/nothing", "/api/v3/ticker", "/sapi/v1/nothing"])
def test_unknown_paths_are_404_in_binance_shape(client: Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert response.json() == {"code": -1020, "msg": "This operation is not supported."}


def test_other_api_paths_keep_paperex_404(client: Client) -> None:
    assert client.get("/api/nothing/").json()["code"] == "not_found"


def test_only_get_is_answered(client: Client, seeded: None) -> None:
    response = client.post("/api/v3/ping")
    assert response.status_code == 405
    assert response.json() == {"code": -1020, "msg": "This operation is not supported."}


def test_a_database_away_is_a_503_to_try_again(
    client: Client, seeded: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    def away(**_: object) -> None:
        raise OperationalError("connection refused")

    monkeypatch.setattr("paperex.apps.binance.views.market_get", away)
    response = client.get("/api/v3/depth", {"symbol": "BTCUSDT"})
    assert response.status_code == 503
    assert response["Retry-After"] == "1"
    assert response.json() == {
        "code": -1001,
        "msg": "Internal error; unable to process your request. Please try again.",
    }
