"""The real Binance clients, unchanged, against `paperex serve`: ccxt and python-binance read
Paperex's markets and market data through ``/api/v3`` (and ccxt's ``/sapi`` calls), and what
they get is what Paperex's own API says for the same market."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

import ccxt
import httpx
import pytest
from binance.client import Client

from tests.integration.servers import demo_token, prepared_environment, running_server
from tests.support.waiting import wait_until

pytestmark = pytest.mark.integration
SYMBOL = "BTCUSDT"
MINUTE = 60_000
D = Decimal


def paperex(server: str, path: str, **query: Any) -> Any:
    answer = httpx.get(f"{server}/api/{path}", params=query, timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()


def place_market_order(server: str, headers: dict[str, str], side: str, quantity: str) -> None:
    def placed() -> bool:
        order = httpx.post(
            f"{server}/api/orders/",
            json={"symbol": SYMBOL, "side": side, "type": "MARKET", "quantity": quantity},
            headers=headers,
            timeout=30,
        )
        return order.status_code == 201

    wait_until(placed, timeout=30, what=f"a {side} market order accepted", interval=0.5)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server whose synthetic feed runs, with two exchange trades in BTCUSDT."""
    with (
        prepared_environment(tmp_path_factory.mktemp("binance-clients")) as env,
        running_server(env) as url,
    ):
        headers = {"Authorization": f"Bearer {demo_token(url)}"}
        wait_until(
            lambda: httpx.get(f"{url}/api/markets/{SYMBOL}/ticker/", timeout=10).status_code == 200,
            timeout=30,
            what="a BTCUSDT ticker",
        )
        place_market_order(url, headers, "BUY", "0.001")
        place_market_order(url, headers, "SELL", "0.0009")  # the buy's fee was 0.000001 BTC
        wait_until(
            lambda: len(paperex(url, f"markets/{SYMBOL}/trades/")) >= 2,
            timeout=30,
            what="two exchange trades",
        )
        yield url


def agreeing(read_paperex: Callable[[], Any], read_client: Callable[[], Any]) -> tuple[Any, Any]:
    """Paperex's and the client's reads of live data taken while Paperex's did not change (the
    same before and after the client's), so that the two can be compared."""

    def steady() -> tuple[Any, Any] | None:
        before = read_paperex()
        client = read_client()
        return (before, client) if read_paperex() == before else None

    return wait_until(steady, timeout=30, what="a read while the data held still", interval=0)


def same(client_value: float | str | None, paperex_value: str) -> bool:
    """Whether the client's value is ours. A client that parses numbers to floats can hold
    only the float nearest to our decimal (16+ significant digits do not survive)."""
    if isinstance(client_value, float):
        return client_value == float(paperex_value)
    return client_value is not None and D(client_value) == D(paperex_value)


# ccxt ---------------------------------------------------------------------------------------


@pytest.fixture
def exchange(server: str) -> ccxt.binance:
    """ccxt's binance with every URL it knows moved to the server (paths kept), API keys set
    and its default options otherwise, only spot markets: so loading the markets also asks
    the sapi currencies and margin pairs."""
    urls = {
        name: server + urlsplit(url).path
        for name, url in ccxt.binance().urls["api"].items()
        if isinstance(url, str)
    }
    return ccxt.binance(
        {
            "apiKey": "paperex-key",
            "secret": "paperex-secret",
            "urls": {"api": urls},
            "options": {"fetchMarkets": {"types": ["spot"]}},
        }
    )


def test_ccxt_loads_paperex_markets_with_their_rules(exchange: ccxt.binance, server: str) -> None:
    asked: list[str] = []
    fetch = exchange.fetch

    def recorded_fetch(url: str, *arguments: Any) -> Any:
        asked.append(urlsplit(url).path)
        return fetch(url, *arguments)

    exchange.fetch = recorded_fetch
    markets = exchange.load_markets()
    # With API keys ccxt asks its currencies and margin pairs first: harmless empty answers.
    assert set(asked) == {
        "/sapi/v1/capital/config/getall",
        "/sapi/v1/margin/allPairs",
        "/sapi/v1/margin/isolated/allPairs",
        "/api/v3/exchangeInfo",
    }
    ours = {market["symbol"]: market for market in paperex(server, "markets/")}
    assert {market["id"] for market in markets.values()} == set(ours)
    for market in markets.values():
        own = ours[market["id"]]
        assert (market["base"], market["quote"], market["spot"]) == (
            own["base"],
            own["quote"],
            True,
        )
        assert market["active"] is (own["status"] == "TRADING")
        assert same(market["precision"]["price"], own["tick_size"]), market["id"]
        assert same(market["precision"]["amount"], own["step_size"]), market["id"]
        assert same(market["limits"]["amount"]["min"], own["step_size"]), market["id"]
        assert same(market["limits"]["cost"]["min"], own["min_notional"]), market["id"]
    assert exchange.markets["AAPL/USD"]["id"] == "AAPL"
    assert "market" in exchange.markets["BTC/USDT"]["info"]["orderTypes"][2].lower()


def test_ccxt_trading_fees_are_paperex_fee_rates(exchange: ccxt.binance, server: str) -> None:
    fees = exchange.fetch_trading_fees()
    for market in paperex(server, "markets/"):
        fee = fees[exchange.safe_symbol(market["symbol"])]
        assert same(fee["maker"], market["maker_fee_rate"]), market["symbol"]
        assert same(fee["taker"], market["taker_fee_rate"]), market["symbol"]


def test_ccxt_ticker_is_paperex_ticker(exchange: ccxt.binance, server: str) -> None:
    ours, theirs = agreeing(
        lambda: paperex(server, f"markets/{SYMBOL}/ticker/"),
        lambda: exchange.fetch_ticker("BTC/USDT"),
    )
    assert theirs["symbol"] == "BTC/USDT"
    pairs = {
        "last": "last_price",
        "open": "open",
        "high": "high",
        "low": "low",
        "bid": "best_bid",
        "ask": "best_ask",
        "baseVolume": "volume",
        "quoteVolume": "quote_volume",
        "change": "price_change",
        "vwap": "weighted_average_price",
    }
    for client_name, paperex_name in pairs.items():
        assert same(theirs[client_name], ours[paperex_name]), client_name
    assert theirs["timestamp"] == ours["close_time"]


def test_ccxt_tickers_cover_every_market(exchange: ccxt.binance, server: str) -> None:
    tickers = exchange.fetch_tickers(["BTC/USDT", "ETH/USDT"])
    assert set(tickers) == {"BTC/USDT", "ETH/USDT"}
    assert len(exchange.fetch_tickers()) == len(paperex(server, "markets/"))


def test_ccxt_last_prices_and_best_prices_cover_every_market(
    exchange: ccxt.binance, server: str
) -> None:
    exchange.load_markets()
    markets = {exchange.safe_symbol(m["symbol"]) for m in paperex(server, "markets/")}
    assert set(exchange.fetch_last_prices()) == markets
    best = exchange.fetch_bids_asks(["BTC/USDT"])["BTC/USDT"]
    assert best["bid"] < best["ask"]


def test_ccxt_order_book_is_the_book_an_order_meets(exchange: ccxt.binance, server: str) -> None:
    ours, theirs = agreeing(
        lambda: paperex(server, f"markets/{SYMBOL}/book/", depth=5, source="merged"),
        lambda: exchange.fetch_order_book("BTC/USDT", 5),
    )
    assert ours["bids"]
    assert ours["asks"]
    for side in ("bids", "asks"):
        assert [[D(str(p)), D(str(q))] for p, q in theirs[side]] == [
            [D(p), D(q)] for p, q in ours[side]
        ], side
    assert theirs["nonce"] == ours["last_update_id"]


def test_ccxt_ohlcv_are_paperex_candles(exchange: ccxt.binance, server: str) -> None:
    ours, theirs = agreeing(
        lambda: paperex(server, f"markets/{SYMBOL}/candles/", interval="1m", limit=5),
        lambda: exchange.fetch_ohlcv("BTC/USDT", "1m", limit=5),
    )
    assert ours
    assert [[row[0], *(D(str(value)) for value in row[1:])] for row in theirs] == [
        [c["open_time"], D(c["open"]), D(c["high"]), D(c["low"]), D(c["close"]), D(c["volume"])]
        for c in ours
    ]


def test_ccxt_trades_are_paperex_trades(exchange: ccxt.binance, server: str) -> None:
    ours = list(reversed(paperex(server, f"markets/{SYMBOL}/trades/", limit=50)))
    theirs = exchange.fetch_trades("BTC/USDT", limit=50)
    assert len(ours) >= 2
    assert [(int(t["id"]), D(str(t["price"])), D(str(t["amount"]))) for t in theirs] == [
        (t["id"], D(t["price"]), D(t["quantity"])) for t in ours
    ]
    assert [t["side"] for t in theirs] == [t["taker_side"].lower() for t in ours]


def test_ccxt_errors_are_its_own_exceptions(exchange: ccxt.binance) -> None:
    exchange.load_markets()
    with pytest.raises(ccxt.BadSymbol):
        exchange.public_get_depth({"symbol": "NOPE"})
    with pytest.raises(ccxt.BadRequest):
        exchange.public_get_klines({"symbol": SYMBOL, "interval": "1m", "limit": "x"})


# python-binance ------------------------------------------------------------------------------


@pytest.fixture
def client(server: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Client]:
    """python-binance's client with its REST URL on the server (it pings when it starts)."""
    monkeypatch.setattr(Client, "API_URL", f"{server}/api")
    binance_client = Client("paperex-key", "paperex-secret")
    yield binance_client
    binance_client.close_connection()


def test_python_binance_exchange_info_is_paperex_markets(client: Client, server: str) -> None:
    assert client.get_server_time()["serverTime"] > 0
    info = client.get_exchange_info()
    ours = {market["symbol"]: market for market in paperex(server, "markets/")}
    assert {symbol["symbol"] for symbol in info["symbols"]} == set(ours)
    for symbol in info["symbols"]:
        own = ours[symbol["symbol"]]
        filters = {f["filterType"]: f for f in symbol["filters"]}
        assert D(filters["PRICE_FILTER"]["tickSize"]) == D(own["tick_size"])
        assert D(filters["LOT_SIZE"]["stepSize"]) == D(own["step_size"])
        assert D(filters["NOTIONAL"]["minNotional"]) == D(own["min_notional"])
    assert client.get_symbol_info("ETHUSDT")["baseAsset"] == "ETH"


def test_python_binance_price_is_paperex_last_price(client: Client, server: str) -> None:
    ours, theirs = agreeing(
        lambda: paperex(server, f"markets/{SYMBOL}/ticker/")["last_price"],
        lambda: client.get_symbol_ticker(symbol=SYMBOL),
    )
    assert theirs["symbol"] == SYMBOL
    assert D(theirs["price"]) == D(ours)


def test_python_binance_best_prices_are_the_top_of_the_book(client: Client, server: str) -> None:
    ours, theirs = agreeing(
        lambda: paperex(server, f"markets/{SYMBOL}/book/", depth=1, source="merged"),
        lambda: client.get_orderbook_ticker(symbol=SYMBOL),
    )
    assert (D(theirs["bidPrice"]), D(theirs["bidQty"])) == tuple(map(D, ours["bids"][0]))
    assert (D(theirs["askPrice"]), D(theirs["askQty"])) == tuple(map(D, ours["asks"][0]))


def test_python_binance_order_book(client: Client, server: str) -> None:
    ours, theirs = agreeing(
        lambda: paperex(server, f"markets/{SYMBOL}/book/", depth=10, source="merged"),
        lambda: client.get_order_book(symbol=SYMBOL, limit=10),
    )
    assert theirs["lastUpdateId"] == ours["last_update_id"]
    for side in ("bids", "asks"):
        assert [[D(p), D(q)] for p, q in theirs[side]] == [[D(p), D(q)] for p, q in ours[side]]


def test_python_binance_klines(client: Client, server: str) -> None:
    ours, theirs = agreeing(
        lambda: paperex(server, f"markets/{SYMBOL}/candles/", interval="1m", limit=3),
        lambda: client.get_klines(symbol=SYMBOL, interval=Client.KLINE_INTERVAL_1MINUTE, limit=3),
    )
    assert [(row[0], D(row[4]), D(row[7]), row[8], row[6]) for row in theirs] == [
        (c["open_time"], D(c["close"]), D(c["quote_volume"]), c["trade_count"], c["close_time"])
        for c in ours
    ]


def test_python_binance_recent_trades(client: Client, server: str) -> None:
    ours = list(reversed(paperex(server, f"markets/{SYMBOL}/trades/", limit=20)))
    theirs = client.get_recent_trades(symbol=SYMBOL, limit=20)
    assert [(t["id"], D(t["price"]), D(t["qty"]), D(t["quoteQty"])) for t in theirs] == [
        (t["id"], D(t["price"]), D(t["quantity"]), D(t["quote_quantity"])) for t in ours
    ]
    assert [t["isBuyerMaker"] for t in theirs] == [t["taker_side"] == "SELL" for t in ours]


def test_python_binance_average_price_of_the_last_five_minutes(client: Client, server: str) -> None:
    def paperex_average() -> Decimal:
        now = httpx.get(f"{server}/api/v3/time", timeout=10).json()["serverTime"]
        start = now - now % MINUTE - 4 * MINUTE
        candles = paperex(server, f"markets/{SYMBOL}/candles/", interval="1m", start=start)
        quote = sum(D(c["quote_volume"]) for c in candles)
        return (quote / sum(D(c["volume"]) for c in candles)).quantize(D("0.00000001"))

    ours, theirs = agreeing(paperex_average, lambda: client.get_avg_price(symbol=SYMBOL))
    assert theirs["mins"] == 5
    assert D(theirs["price"]) == ours


def test_python_binance_errors_carry_binance_codes(client: Client) -> None:
    from binance.exceptions import BinanceAPIException

    with pytest.raises(BinanceAPIException) as bad_symbol:
        client.get_order_book(symbol="NOPE")
    assert (bad_symbol.value.status_code, bad_symbol.value.code) == (400, -1121)
    assert bad_symbol.value.message == "Invalid symbol."
    with pytest.raises(BinanceAPIException) as bad_interval:
        client.get_klines(symbol=SYMBOL, interval="2m")
    assert (bad_interval.value.code, bad_interval.value.message) == (-1120, "Invalid interval.")
