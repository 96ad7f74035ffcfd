"""``/api/v3`` market data in Binance's shapes, from the same state and rows as Paperex's API."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import msgspec
import pytest
from django.test import Client

from paperex.apps.marketdata.runtime import runtime
from paperex.apps.markets.models import Market
from paperex.apps.markets.services import candles_upsert
from paperex.domain import Side
from paperex.marketdata.live_view import LiveMarketView
from tests.support.factories import OrderFactory, TradeFactory
from tests.support.market_events import T0, book, kline, ticker, trade

pytestmark = pytest.mark.django_db
MINUTE = 60_000


@pytest.fixture(autouse=True)
def fresh_state() -> Iterator[LiveMarketView]:
    saved, runtime.state = runtime.state, LiveMarketView()
    yield runtime.state
    runtime.state = saved


def get(client: Client, path: str, **query: Any) -> Any:
    response = client.get(f"/api/v3/{path}", query)
    assert response.status_code == 200, response.content
    return response.json()


def test_ping_and_time(client: Client) -> None:
    assert get(client, "ping") == {}
    before = int(datetime.now(UTC).timestamp() * 1000)
    server_time = get(client, "time")["serverTime"]
    assert isinstance(server_time, int)
    assert before - 5 <= server_time <= before + 5_000


def test_exchange_info_lists_every_market_with_its_filters(client: Client, seeded: None) -> None:
    info = get(client, "exchangeInfo")
    assert info["timezone"] == "UTC"
    assert {s["symbol"] for s in info["symbols"]} == set(
        Market.objects.values_list("symbol", flat=True)
    )
    btc = next(s for s in info["symbols"] if s["symbol"] == "BTCUSDT")
    assert btc["status"] == "TRADING"
    assert (btc["baseAsset"], btc["quoteAsset"], btc["baseAssetPrecision"]) == ("BTC", "USDT", 8)
    assert btc["orderTypes"] == [
        "LIMIT",
        "LIMIT_MAKER",
        "MARKET",
        "STOP_LOSS",
        "STOP_LOSS_LIMIT",
        "TAKE_PROFIT",
        "TAKE_PROFIT_LIMIT",
    ]
    filters = {f["filterType"]: f for f in btc["filters"]}
    assert filters["PRICE_FILTER"]["tickSize"] == "0.01000000"
    assert filters["PRICE_FILTER"]["minPrice"] == "0.01000000"
    assert filters["LOT_SIZE"]["stepSize"] == "0.00001000"
    assert filters["LOT_SIZE"]["minQty"] == "0.00001000"
    assert filters["NOTIONAL"]["minNotional"] == "5.00000000"
    assert filters["PERCENT_PRICE_BY_SIDE"]["bidMultiplierUp"] == "5"
    assert filters["PERCENT_PRICE_BY_SIDE"]["askMultiplierDown"] == "0.2"
    assert filters["PERCENT_PRICE_BY_SIDE"]["avgPriceMins"] == 0  # the last trade's price
    assert {"rateLimitType": "RAW_REQUESTS", "interval": "MINUTE", "intervalNum": 1} in [
        {k: v for k, v in limit.items() if k != "limit"} for limit in info["rateLimits"]
    ]


def test_exchange_info_of_some_symbols(client: Client, seeded: None) -> None:
    one = get(client, "exchangeInfo", symbol="ETHUSDT")
    assert [s["symbol"] for s in one["symbols"]] == ["ETHUSDT"]
    some = get(client, "exchangeInfo", symbols='["AAPL","BTCUSDT"]')
    assert [s["symbol"] for s in some["symbols"]] == ["AAPL", "BTCUSDT"]
    aapl = some["symbols"][0]
    assert {f["filterType"]: f for f in aapl["filters"]}["LOT_SIZE"]["stepSize"] == "1.00000000"


def test_depth_is_the_book_an_order_meets(client: Client, seeded: None) -> None:
    runtime.state.apply(
        book(42, bids=[("99.5", "1"), ("99.9", "0.25"), ("98", "4")], asks=[("100.05", "0.5")])
    )
    assert get(client, "depth", symbol="BTCUSDT", limit=2) == {
        "lastUpdateId": 42,
        "bids": [["99.90000000", "0.25000000"], ["99.50000000", "1.00000000"]],
        "asks": [["100.05000000", "0.50000000"]],
    }
    assert get(client, "depth", symbol="ETHUSDT") == {"lastUpdateId": 0, "bids": [], "asks": []}


def test_depth_adds_the_users_resting_orders_in_a_paper_market(
    client: Client, seeded: None
) -> None:
    market = Market.objects.get(symbol="BTCUSDT")
    runtime.state.apply(book(5, bids=[("99.5", "1")], asks=[("100.5", "2")]))
    OrderFactory(market=market, side="BUY", price=Decimal("99.5"), quantity=Decimal("0.5"))
    OrderFactory(market=market, side="SELL", price=Decimal("100.25"), quantity=Decimal("3"))
    assert get(client, "depth", symbol="BTCUSDT") == {
        "lastUpdateId": 5,
        "bids": [["99.50000000", "1.50000000"]],
        "asks": [["100.25000000", "3.00000000"], ["100.50000000", "2.00000000"]],
    }
    Market.objects.filter(pk=market.pk).update(mode=Market.Mode.EXCHANGE)
    assert get(client, "ticker/bookTicker", symbol="BTCUSDT")["bidQty"] == "0.50000000"


def test_trades_and_aggregate_trades_oldest_first(client: Client, seeded: None) -> None:
    market = Market.objects.get(symbol="BTCUSDT")
    moment = datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)
    TradeFactory(
        id=7,
        market=market,
        price=Decimal("100.5"),
        quantity=Decimal("0.2"),
        taker_side=Side.SELL,
        executed_at=moment,
    )
    TradeFactory(
        id=9,
        market=market,
        price=Decimal("101"),
        quantity=Decimal("1"),
        taker_side=Side.BUY,
        executed_at=moment,
    )
    trades = get(client, "trades", symbol="BTCUSDT")
    assert trades == [
        {
            "id": 7,
            "price": "100.50000000",
            "qty": "0.20000000",
            "quoteQty": "20.10000000",
            "time": 1767323045678,
            "isBuyerMaker": True,
            "isBestMatch": True,
        },
        {
            "id": 9,
            "price": "101.00000000",
            "qty": "1.00000000",
            "quoteQty": "101.00000000",
            "time": 1767323045678,
            "isBuyerMaker": False,
            "isBestMatch": True,
        },
    ]
    assert [t["id"] for t in get(client, "trades", symbol="BTCUSDT", limit=1)] == [9]
    assert get(client, "aggTrades", symbol="BTCUSDT", limit=1) == [
        {
            "a": 9,
            "p": "101.00000000",
            "q": "1.00000000",
            "f": 9,
            "l": 9,
            "T": 1767323045678,
            "m": False,
            "M": True,
        }
    ]
    assert [t["a"] for t in get(client, "aggTrades", symbol="BTCUSDT", fromId=8)] == [9]
    window = {"startTime": 1767323045678, "endTime": 1767323045678 + 3_600_000}
    assert [t["a"] for t in get(client, "aggTrades", symbol="BTCUSDT", **window)] == [7, 9]
    assert get(client, "aggTrades", symbol="BTCUSDT", startTime=1767323045679) == []


def _candle(index: int, close: str) -> Any:
    return msgspec.structs.replace(
        kline(close, open_time=T0 + index * MINUTE), close_time=T0 + (index + 1) * MINUTE - 1
    )


def test_klines_rows(client: Client, seeded: None) -> None:
    candles_upsert(klines=[_candle(0, "100.5"), _candle(1, "101")])
    rows = get(client, "klines", symbol="BTCUSDT", interval="1m")
    first = rows[0]
    assert first == [
        T0,
        "100.00000000",
        "101.00000000",
        "99.00000000",
        "100.50000000",
        "2.00000000",
        T0 + MINUTE - 1,
        "200.00000000",
        3,
        "0.00000000",
        "0.00000000",
        "0",
    ]
    assert [row[0] for row in rows] == [T0, T0 + MINUTE]
    later = get(client, "uiKlines", symbol="BTCUSDT", interval="1m", startTime=T0 + 1, limit=5)
    assert [row[0] for row in later] == [T0 + MINUTE]
    assert get(client, "klines", symbol="BTCUSDT", interval="1m", timeZone="0") == rows


def test_klines_answer_the_minute_just_closed_before_it_is_stored(
    client: Client, seeded: None
) -> None:
    candles_upsert(klines=[_candle(0, "100.5")])
    just_closed = msgspec.structs.replace(_candle(1, "101"), closed=True)
    runtime.state.apply(just_closed)
    runtime.state.apply(msgspec.structs.replace(_candle(2, "102"), closed=False))
    rows = get(client, "klines", symbol="BTCUSDT", interval="1m")
    assert [(row[0], row[4]) for row in rows] == [
        (T0, "100.50000000"),
        (T0 + MINUTE, "101.00000000"),
        (T0 + 2 * MINUTE, "102.00000000"),
    ]
    from_it = get(client, "klines", symbol="BTCUSDT", interval="1m", startTime=T0 + MINUTE)
    assert [row[0] for row in from_it] == [T0 + MINUTE, T0 + 2 * MINUTE]
    assert get(client, "klines", symbol="BTCUSDT", interval="1m", limit=2) == rows[1:]
    candles_upsert(klines=[just_closed])  # stored now: answered once
    assert get(client, "klines", symbol="BTCUSDT", interval="1m") == rows


def test_average_price_weighs_the_last_five_minutes_by_volume(
    client: Client, seeded: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = T0 + 5 * MINUTE + 30_000
    monkeypatch.setattr("paperex.apps.binance.views.wall_clock_ms", lambda: now)
    old = msgspec.structs.replace(_candle(0, "1"), volume=Decimal(1), quote_volume=Decimal(999))
    recent = [
        msgspec.structs.replace(_candle(4, "1"), volume=Decimal(2), quote_volume=Decimal(200)),
        msgspec.structs.replace(_candle(5, "1"), volume=Decimal(1), quote_volume=Decimal(103)),
    ]
    candles_upsert(klines=[old, *recent])
    runtime.state.apply(trade("103", time_ms=now - 1_000))
    assert get(client, "avgPrice", symbol="BTCUSDT") == {
        "mins": 5,
        "price": "101.00000000",
        "closeTime": now - 1_000,
    }
    assert get(client, "avgPrice", symbol="ETHUSDT")["price"] == "0.00000000"


def test_ticker_24hr_single_list_and_quiet_markets(client: Client, seeded: None) -> None:
    runtime.state.apply(ticker("60000.1", price_change="-12.5", price_change_percent="-0.0208"))
    one = get(client, "ticker/24hr", symbol="BTCUSDT")
    assert one["symbol"] == "BTCUSDT"
    assert one["lastPrice"] == "60000.10000000"
    assert one["priceChange"] == "-12.50000000"
    assert one["priceChangePercent"] == "-0.021"
    assert (one["count"], one["firstId"], one["lastId"]) == (1, -1, -1)
    listed = get(client, "ticker/24hr", symbols='["BTCUSDT","ETHUSDT"]')
    assert [t["symbol"] for t in listed] == ["BTCUSDT", "ETHUSDT"]
    assert listed[0] == one
    assert (listed[1]["lastPrice"], listed[1]["count"]) == ("0.00000000", 0)
    assert len(get(client, "ticker/24hr")) == Market.objects.count()
    mini = get(client, "ticker/24hr", symbol="BTCUSDT", type="MINI")
    assert "bidPrice" not in mini
    assert mini["lastPrice"] == "60000.10000000"


def test_price_and_book_tickers(client: Client, seeded: None) -> None:
    runtime.state.apply(trade("100.25"))
    runtime.state.apply(book(3, bids=[("100.2", "3")], asks=[("100.3", "0.5")]))
    assert get(client, "ticker/price", symbol="BTCUSDT") == {
        "symbol": "BTCUSDT",
        "price": "100.25000000",
    }
    prices = get(client, "ticker/price", symbols='["ETHUSDT"]')
    assert prices == [{"symbol": "ETHUSDT", "price": "0.00000000"}]
    assert get(client, "ticker/bookTicker", symbol="BTCUSDT") == {
        "symbol": "BTCUSDT",
        "bidPrice": "100.20000000",
        "bidQty": "3.00000000",
        "askPrice": "100.30000000",
        "askQty": "0.50000000",
    }
    assert len(get(client, "ticker/bookTicker")) == Market.objects.count()


def test_price_is_the_ticker_last_price_when_there_is_one(client: Client, seeded: None) -> None:
    runtime.state.apply(trade("100.25"))
    runtime.state.apply(ticker("100.5"))
    assert get(client, "ticker/price", symbol="BTCUSDT")["price"] == "100.50000000"


def test_amounts_finer_than_binance_keep_every_digit(client: Client, seeded: None) -> None:
    runtime.state.apply(trade("0.123456789"))
    assert get(client, "ticker/price", symbol="BTCUSDT")["price"] == "0.123456789"


def test_every_answer_reports_the_weight_used_this_minute(client: Client, seeded: None) -> None:
    first = client.get("/api/v3/exchangeInfo")
    assert first["X-MBX-USED-WEIGHT-1M"] == "20"
    second = client.get("/api/v3/depth", {"symbol": "BTCUSDT", "limit": 500})
    assert second["X-MBX-USED-WEIGHT-1M"] == "45"
    refused = client.get("/api/v3/depth", {"symbol": "NOPE"})
    assert refused["X-MBX-USED-WEIGHT-1M"] == "50"


def test_sapi_answers_what_ccxt_asks_when_it_loads_markets(client: Client, seeded: None) -> None:
    signed = {"timestamp": "1", "recvWindow": "10000", "signature": "ab"}
    assert client.get("/sapi/v1/capital/config/getall", signed).json() == []
    assert client.get("/sapi/v1/margin/allPairs", signed).json() == []
    assert client.get("/sapi/v1/margin/isolated/allPairs", signed).json() == []
    assert client.get("/sapi/v1/system/status").json() == {"status": 0, "msg": "normal"}
    fees = client.get("/sapi/v1/asset/tradeFee", {"symbol": "BTCUSDT", **signed}).json()
    assert fees == [{"symbol": "BTCUSDT", "makerCommission": "0.001", "takerCommission": "0.001"}]


def test_binance_paths_stay_out_of_the_openapi_schema(client: Client) -> None:
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    assert not [path for path in schema["paths"] if "/v3/" in path or "sapi" in path]
