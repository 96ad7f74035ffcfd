from __future__ import annotations

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from paperex.apps.markets.models import Candle
from paperex.apps.markets.services import candles_upsert
from paperex.marketdata.events import Kline

pytestmark = pytest.mark.django_db
MINUTE = 60_000
T0 = 1_700_000_040_000  # a minute boundary


def kline(index: int, close: str, *, closed: bool = True, symbol: str = "BTCUSDT") -> Kline:
    open_time = T0 + index * MINUTE
    return Kline(
        venue="synthetic",
        symbol=symbol,
        event_time=open_time + MINUTE - 1,
        received_at=open_time + MINUTE,
        interval="1m",
        open_time=open_time,
        close_time=open_time + MINUTE - 1,
        open=Decimal("100.00"),
        high=Decimal("101.50"),
        low=Decimal("99.25"),
        close=Decimal(close),
        volume=Decimal("2.5"),
        quote_volume=Decimal("251.25"),
        trade_count=7,
        closed=closed,
    )


def test_upsert_inserts_then_updates_the_same_candle(seeded: None) -> None:
    assert candles_upsert(klines=[kline(0, "100.10", closed=False)]) == 1
    candles_upsert(klines=[kline(0, "100.90"), kline(1, "101.00")])
    rows = list(Candle.objects.filter(market__symbol="BTCUSDT").order_by("open_time"))
    assert [(c.close, c.closed) for c in rows] == [
        (Decimal("100.90"), True),
        (Decimal("101.00"), True),
    ]


def test_unknown_symbols_are_skipped(seeded: None) -> None:
    assert candles_upsert(klines=[kline(0, "1", symbol="NOPE")]) == 0


def test_candles_api_returns_the_newest_oldest_first(api_client: APIClient, seeded: None) -> None:
    candles_upsert(klines=[kline(i, f"{100 + i}.00") for i in range(5)])
    response = api_client.get("/api/markets/BTCUSDT/candles/", {"interval": "1m", "limit": 3})
    assert response.status_code == 200
    body = response.json()
    assert [c["open_time"] for c in body] == [T0 + 2 * MINUTE, T0 + 3 * MINUTE, T0 + 4 * MINUTE]
    assert body[-1] == {
        "open_time": T0 + 4 * MINUTE,
        "close_time": T0 + 5 * MINUTE - 1,
        "open": "100",
        "high": "101.5",
        "low": "99.25",
        "close": "104",
        "volume": "2.5",
        "quote_volume": "251.25",
        "trade_count": 7,
        "closed": True,
    }


def test_candles_api_range_from_start(api_client: APIClient, seeded: None) -> None:
    candles_upsert(klines=[kline(i, "100") for i in range(5)])
    response = api_client.get(
        "/api/markets/btcusdt/candles/",
        {"start": T0 + MINUTE, "end": T0 + 3 * MINUTE, "limit": 2},
    )
    assert [c["open_time"] for c in response.json()] == [T0 + MINUTE, T0 + 2 * MINUTE]


@pytest.mark.parametrize(
    ("query", "fragment"),
    [
        ({"interval": "7m"}, "interval: "),
        ({"limit": 0}, "limit: "),
        ({"limit": 5000}, "limit: "),
        ({"start": "yesterday"}, "start: "),
        ({"start": 10, "end": 5}, "start must not be after end"),
    ],
)
def test_bad_candle_queries_are_400s(
    api_client: APIClient, seeded: None, query: dict[str, object], fragment: str
) -> None:
    response = api_client.get("/api/markets/BTCUSDT/candles/", query)
    assert response.status_code == 400
    assert fragment in response.json()["message"]


def test_candles_of_an_unknown_market_are_a_404(api_client: APIClient, seeded: None) -> None:
    assert api_client.get("/api/markets/NOPE/candles/").status_code == 404
