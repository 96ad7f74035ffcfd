"""Book and ticker endpoints read the process's market state, which the bus keeps current."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import msgspec
import pytest
from rest_framework.test import APIClient

from paperex.apps.marketdata.runtime import runtime
from paperex.apps.markets.services import candles_upsert
from paperex.marketdata.events import BookSnapshot, Kline, Ticker24h
from paperex.marketdata.live_view import LiveMarketView
from tests.support.market_events import T0, kline

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture(autouse=True)
def fresh_state() -> Iterator[LiveMarketView]:
    saved, runtime.state = runtime.state, LiveMarketView()
    yield runtime.state
    runtime.state = saved


def test_book_shows_the_best_levels_first(api_client: APIClient, seeded: None) -> None:
    runtime.state.apply(
        BookSnapshot(
            venue="synthetic",
            symbol="BTCUSDT",
            event_time=7,
            received_at=8,
            last_update_id=42,
            bids=[(D("99.50"), D("1")), (D("99.90"), D("0.25")), (D("98"), D("4"))],
            asks=[(D("100.10"), D("2")), (D("100.05"), D("0.5"))],
        )
    )
    response = api_client.get("/api/markets/btcusdt/book/", {"depth": 2})
    assert response.status_code == 200
    assert response.json() == {
        "symbol": "BTCUSDT",
        "last_update_id": 42,
        "in_sync": True,
        "updated_at": 7,
        # Amounts in plain notation without trailing zeros, as everywhere in the API.
        "bids": [["99.9", "0.25"], ["99.5", "1"]],
        "asks": [["100.05", "0.5"], ["100.1", "2"]],
    }


def test_book_before_any_data_is_empty_and_not_in_sync(api_client: APIClient, seeded: None) -> None:
    body = api_client.get("/api/markets/ETHUSDT/book/").json()
    assert (body["bids"], body["asks"], body["in_sync"]) == ([], [], False)


@pytest.mark.parametrize("depth", ["0", "-5", "many", "5001"])
def test_bad_depth_is_a_400(api_client: APIClient, seeded: None, depth: str) -> None:
    response = api_client.get("/api/markets/BTCUSDT/book/", {"depth": depth})
    assert response.status_code == 400
    assert response.json()["message"].startswith("depth: ")


def test_ticker(api_client: APIClient, seeded: None) -> None:
    missing = api_client.get("/api/markets/BTCUSDT/ticker/")
    assert missing.status_code == 404
    assert missing.json()["code"] == "no_market_data"

    amounts = dict.fromkeys(
        [
            "price_change",
            "price_change_percent",
            "weighted_average_price",
            "last_quantity",
            "best_bid",
            "best_bid_quantity",
            "best_ask",
            "best_ask_quantity",
            "volume",
            "quote_volume",
        ],
        D("1.5"),
    )
    runtime.state.apply(
        Ticker24h(
            venue="synthetic",
            symbol="BTCUSDT",
            event_time=10,
            received_at=11,
            last_price=D("60000.10"),
            open=D("59000"),
            high=D("61000"),
            low=D("58000.5"),
            open_time=0,
            close_time=10,
            trade_count=3,
            **amounts,
        )
    )
    body = api_client.get("/api/markets/BTCUSDT/ticker/").json()
    assert body["symbol"] == "BTCUSDT"
    assert body["last_price"] == "60000.10"
    assert body["low"] == "58000.5"
    assert body["trade_count"] == 3
    assert "kind" not in body


MINUTE = 60_000


def _candle(index: int, *, closed: bool = True) -> Kline:
    return msgspec.structs.replace(
        kline(f"{100 + index}", open_time=T0 + index * MINUTE),
        close_time=T0 + (index + 1) * MINUTE - 1,
        closed=closed,
    )


@pytest.fixture
def three_stored_and_one_open(seeded: None) -> Kline:
    candles_upsert(klines=[_candle(i) for i in range(3)])
    open_candle = _candle(3, closed=False)
    runtime.state.apply(open_candle)
    return open_candle


def _open_times(api_client: APIClient, **query: object) -> list[tuple[int, bool]]:
    response = api_client.get("/api/markets/BTCUSDT/candles/", {"interval": "1m", **query})
    assert response.status_code == 200
    return [(c["open_time"], c["closed"]) for c in response.json()]


def test_candles_end_with_the_open_candle(
    api_client: APIClient, three_stored_and_one_open: Kline
) -> None:
    response = api_client.get("/api/markets/BTCUSDT/candles/", {"interval": "1m"})
    *stored, last = response.json()
    assert [c["open_time"] for c in stored] == [T0, T0 + MINUTE, T0 + 2 * MINUTE]
    assert last == {
        "open_time": T0 + 3 * MINUTE,
        "close_time": T0 + 4 * MINUTE - 1,
        "open": "100",
        "high": "101",
        "low": "99",
        "close": "103",
        "volume": "2",
        "quote_volume": "200",
        "trade_count": 3,
        "closed": False,
    }
    assert _open_times(api_client, limit=2) == [(T0 + 2 * MINUTE, True), (T0 + 3 * MINUTE, False)]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"end": T0 + 2 * MINUTE}, [T0, T0 + MINUTE, T0 + 2 * MINUTE]),  # ends before it
        ({"start": T0 + MINUTE, "limit": 2}, [T0 + MINUTE, T0 + 2 * MINUTE]),  # a full page
        ({"start": T0 + MINUTE, "limit": 3}, [T0 + MINUTE, T0 + 2 * MINUTE, T0 + 3 * MINUTE]),
        ({"start": T0 + 3 * MINUTE}, [T0 + 3 * MINUTE]),
        ({"start": T0 + 4 * MINUTE}, []),
        ({"interval": "5m"}, []),  # no open 5m candle here, and none stored
    ],
)
def test_the_open_candle_comes_only_when_the_range_reaches_it(
    api_client: APIClient,
    three_stored_and_one_open: Kline,
    query: dict[str, object],
    expected: list[int],
) -> None:
    assert [time for time, _ in _open_times(api_client, **query)] == expected


def test_without_live_market_data_there_is_no_open_candle(
    api_client: APIClient, seeded: None
) -> None:
    candles_upsert(klines=[_candle(i) for i in range(3)])
    assert all(closed for _, closed in _open_times(api_client))
