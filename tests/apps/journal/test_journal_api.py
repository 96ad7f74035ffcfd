"""The trade journal's REST API: manual trades, filters, sorting, isolation, bad input, CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from paperex.apps.accounts.models import User

Trader = Callable[[str], tuple[User, APIClient]]
pytestmark = pytest.mark.django_db(transaction=True)


def add(client: APIClient, **fields: Any) -> Any:
    return client.post("/api/trades/", fields, format="json")


def listed(client: APIClient, **params: Any) -> list[dict[str, Any]]:
    answer = client.get("/api/trades/", params)
    assert answer.status_code == 200, answer.json()
    return list(answer.json()["results"])


def test_the_older_clients_request_creates_a_trade_with_exact_strings(
    make_trader: Trader,
) -> None:
    _, alice = make_trader("alice")
    created = alice.post(
        "/api/trades/",
        {"ticker": "AAPL", "price": 150.75, "quantity": 10, "side": "buy"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    trade = created.json()
    assert (trade["ticker"], trade["side"], trade["price"], trade["quantity"]) == (
        "AAPL",
        "BUY",
        "150.75",
        "10",
    )
    assert (trade["source"], trade["read_only"], trade["order_id"], trade["fee"]) == (
        "manual",
        False,
        None,
        None,
    )
    assert trade["timestamp"].endswith("Z")
    assert alice.get(f"/api/trades/{trade['id']}/").json() == trade


def test_every_field_as_a_trader_types_it(make_trader: Trader) -> None:
    _, alice = make_trader("alice")
    trade = add(
        alice,
        ticker="brk.b",
        side="Sell",
        price="0.000123456789",
        quantity="1234.5",
        fee="0.25",
        fee_asset="usd",
        timestamp="2025-01-20T14:03:05.5Z",
        notes="closing half",
        tags=["swing", "earnings"],
    ).json()
    assert (trade["ticker"], trade["side"], trade["price"], trade["quantity"]) == (
        "BRK.B",
        "SELL",
        "0.000123456789",
        "1234.5",
    )
    assert (trade["fee"], trade["fee_asset"], trade["timestamp"]) == (
        "0.25",
        "USD",
        "2025-01-20T14:03:05.500000Z",
    )
    assert (trade["notes"], trade["tags"]) == ("closing half", ["swing", "earnings"])


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"price": "-1"}, "price"),
        ({"price": 0}, "price"),
        ({"quantity": "0"}, "quantity"),
        ({"quantity": "abc"}, "quantity"),
        ({"side": "hold"}, "side"),
        ({"ticker": "BRK B"}, "ticker"),
        ({"ticker": " AAPL"}, "ticker"),
        ({"ticker": "A" * 21}, "ticker"),
        ({"ticker": "AA,PL"}, "ticker"),
        ({"timestamp": "2025-13-45"}, "timestamp"),
        ({"fee": "-0.1"}, "fee"),
        ({"fee_asset": "US D"}, "fee_asset"),
        ({"fee_asset": "BRK.B"}, "fee_asset"),
        ({"price": "1.0000000000001"}, "price"),
        ({"tags": "not-a-list"}, "tags"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(
    make_trader: Trader, fields: dict[str, Any], field: str
) -> None:
    _, alice = make_trader("alice")
    body = {"ticker": "AAPL", "side": "BUY", "price": "1", "quantity": "1", **fields}
    answer = add(alice, **body)
    assert answer.status_code == 400, answer.json()
    error = answer.json()
    assert error["code"] == "invalid"
    assert field in error["errors"], error
    assert listed(alice) == []


def test_a_missing_field_is_a_400(make_trader: Trader) -> None:
    _, alice = make_trader("alice")
    answer = add(alice, ticker="AAPL", side="BUY", price="1")
    assert answer.status_code == 400
    assert "quantity" in answer.json()["errors"]


def _day_of_trades(client: APIClient) -> dict[str, int]:
    rows = [
        ("AAPL", "BUY", "150", "10", "2025-01-19T23:59:59Z"),
        ("AAPL", "SELL", "155", "4", "2025-01-20T00:00:00Z"),
        ("MSFT", "BUY", "400.5", "1", "2025-01-20T12:00:00Z"),
        ("btcusdt", "BUY", "100000", "0.01", "2025-01-20T23:59:59.999999Z"),
        ("AAPL", "BUY", "149", "2", "2025-01-21T00:00:00Z"),
    ]
    ids = {}
    for ticker, side, price, quantity, at in rows:
        answer = add(client, ticker=ticker, side=side, price=price, quantity=quantity, timestamp=at)
        assert answer.status_code == 201, answer.json()
        ids[f"{ticker.upper()} {at}"] = answer.json()["id"]
    return ids


def test_filters_by_ticker_side_and_inclusive_utc_days(make_trader: Trader) -> None:
    _, alice = make_trader("alice")
    _day_of_trades(alice)

    def tickers(**params: Any) -> list[tuple[str, str]]:
        return [(row["ticker"], row["timestamp"][:19]) for row in listed(alice, **params)]

    assert tickers(start_date="2025-01-20", end_date="2025-01-20") == [
        ("BTCUSDT", "2025-01-20T23:59:59"),
        ("MSFT", "2025-01-20T12:00:00"),
        ("AAPL", "2025-01-20T00:00:00"),
    ]
    assert tickers(ticker="aapl", start_date="2025-01-20") == [
        ("AAPL", "2025-01-21T00:00:00"),
        ("AAPL", "2025-01-20T00:00:00"),
    ]
    assert tickers(end_date="2025-01-19") == [("AAPL", "2025-01-19T23:59:59")]
    assert tickers(side="sell") == [("AAPL", "2025-01-20T00:00:00")]
    assert len(tickers(source="manual")) == 5
    assert tickers(source="exchange") == []


@pytest.mark.parametrize(
    "params",
    [
        {"start_date": "2025-02-30"},
        {"end_date": "20-01-2025"},
        {"start_date": "2025-01-21", "end_date": "2025-01-20"},
        {"side": "HOLD"},
        {"source": "broker"},
        {"ordering": "password"},
    ],
)
def test_bad_filters_are_a_400(make_trader: Trader, params: dict[str, str]) -> None:
    _, alice = make_trader("alice")
    for path in ("/api/trades/", "/api/trades/export.csv"):
        answer = alice.get(path, params)
        assert answer.status_code == 400, (path, params)
        assert answer.json()["code"] == "invalid"


@pytest.mark.parametrize(
    ("ordering", "key"),
    [
        ("price", lambda row: float(row["price"])),
        ("-quantity", lambda row: -float(row["quantity"])),
        ("ticker", lambda row: row["ticker"]),
        ("timestamp", lambda row: row["timestamp"]),
        ("-id", lambda row: -row["id"]),
    ],
)
def test_sorts_by_any_column(make_trader: Trader, ordering: str, key: Any) -> None:
    _, alice = make_trader("alice")
    _day_of_trades(alice)
    rows = listed(alice, ordering=ordering)
    assert len(rows) == 5
    assert rows == sorted(rows, key=key)
    assert rows != sorted(rows, key=key, reverse=True)


def test_pages(make_trader: Trader) -> None:
    _, alice = make_trader("alice")
    ids = sorted(_day_of_trades(alice).values())
    first = alice.get("/api/trades/", {"ordering": "id", "limit": 2}).json()
    assert first["count"] == 5
    assert [row["id"] for row in first["results"]] == ids[:2]
    second = alice.get(first["next"]).json()
    assert [row["id"] for row in second["results"]] == ids[2:4]


def test_put_patch_and_delete_a_manual_trade(make_trader: Trader) -> None:
    _, alice = make_trader("alice")
    trade = add(alice, ticker="AAPL", side="buy", price="150", quantity="10", notes="n").json()
    path = f"/api/trades/{trade['id']}/"

    patched = alice.patch(path, {"price": 151.25, "tags": ["fix"]}, format="json")
    assert patched.status_code == 200, patched.json()
    assert (patched.json()["price"], patched.json()["quantity"], patched.json()["tags"]) == (
        "151.25",
        "10",
        ["fix"],
    )
    assert patched.json()["notes"] == "n"

    partial_put = alice.put(path, {"price": "1"}, format="json")
    assert partial_put.status_code == 400
    assert "ticker" in partial_put.json()["errors"]

    replaced = alice.put(
        path,
        {"ticker": "MSFT", "side": "SELL", "price": "400", "quantity": "0.5"},
        format="json",
    )
    assert replaced.status_code == 200, replaced.json()
    assert (replaced.json()["ticker"], replaced.json()["side"]) == ("MSFT", "SELL")
    # A PUT replaces the trade: optional fields it leaves out are emptied; its time stays.
    assert (replaced.json()["notes"], replaced.json()["tags"]) == ("", [])
    assert replaced.json()["timestamp"] == trade["timestamp"]
    assert alice.patch(path, {"timestamp": None}, format="json").status_code == 400

    bad = alice.patch(path, {"price": "-5"}, format="json")
    assert bad.status_code == 400
    assert alice.get(path).json()["price"] == "400"

    assert alice.delete(path).status_code == 204
    assert alice.get(path).status_code == 404
    assert alice.delete(path).status_code == 404


def test_a_user_sees_and_changes_only_their_own_trades(make_trader: Trader) -> None:
    _, alice = make_trader("alice")
    _, bob = make_trader("bob")
    trade = add(alice, ticker="AAPL", side="BUY", price="150", quantity="10").json()
    path = f"/api/trades/{trade['id']}/"
    assert listed(bob) == []
    assert bob.get(path).status_code == 404
    assert bob.patch(path, {"price": "1"}, format="json").status_code == 404
    assert bob.delete(path).status_code == 404
    assert bob.get("/api/trades/export.csv").getvalue().decode().count("\n") == 1
    assert alice.get(path).json()["price"] == "150"


def test_anonymous_callers_are_refused() -> None:
    anonymous = APIClient()
    assert anonymous.get("/api/trades/").status_code == 401
    assert anonymous.post("/api/trades/", {}, format="json").status_code == 401
    assert anonymous.get("/api/trades/export.csv").status_code == 401


def test_csv_export_streams_the_filtered_trades_in_the_export_columns(
    make_trader: Trader,
) -> None:
    _, alice = make_trader("alice")
    ids = _day_of_trades(alice)
    answer = alice.get(
        "/api/trades/export.csv",
        {"start_date": "2025-01-20", "end_date": "2025-01-20", "ordering": "timestamp"},
    )
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/csv")
    assert "trades.csv" in answer["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(answer.getvalue().decode())))
    assert rows[0] == [
        "id",
        "user",
        "ticker",
        "side",
        "price",
        "quantity",
        "fee",
        "fee_asset",
        "timestamp",
        "source",
        "order_id",
    ]
    assert rows[1:] == [
        [
            str(ids["AAPL 2025-01-20T00:00:00Z"]),
            "alice",
            "AAPL",
            "SELL",
            "155",
            "4",
            "",
            "",
            "2025-01-20T00:00:00.000000Z",
            "manual",
            "",
        ],
        [
            str(ids["MSFT 2025-01-20T12:00:00Z"]),
            "alice",
            "MSFT",
            "BUY",
            "400.5",
            "1",
            "",
            "",
            "2025-01-20T12:00:00.000000Z",
            "manual",
            "",
        ],
        [
            str(ids["BTCUSDT 2025-01-20T23:59:59.999999Z"]),
            "alice",
            "BTCUSDT",
            "BUY",
            "100000",
            "0.01",
            "",
            "",
            "2025-01-20T23:59:59.999999Z",
            "manual",
            "",
        ],
    ]
