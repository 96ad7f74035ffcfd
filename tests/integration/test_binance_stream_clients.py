"""The real Binance clients, unchanged, on Paperex's market streams (``/ws``, ``/stream``):
ccxt.pro and python-binance connect to `paperex serve` with only their stream URLs moved, and
what they receive is what Paperex's own API says."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import threading
from collections.abc import AsyncIterator, Iterator
from decimal import ROUND_DOWN, Decimal
from typing import Any, TypeVar
from urllib.parse import urlsplit

import ccxt
import ccxt.pro
import httpx
import pytest
from binance import AsyncClient, BinanceSocketManager, ThreadedWebsocketManager

from tests.integration.servers import demo_token, prepared_environment, running_server
from tests.support.binance_books import LocalBook
from tests.support.waiting import wait_until

pytestmark = pytest.mark.integration
SYMBOL = "BTCUSDT"
D = Decimal
T = TypeVar("T")
WAIT_SECONDS = 30
BOOK_UPDATES = 30
"""Diffs a client applies before its book is compared with Paperex's."""


class Paperex:
    """A running server: its URLs, its own API, and market orders of the demo user."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.stream_url = "ws" + url.removeprefix("http") + "/"
        self.headers = {"Authorization": f"Bearer {demo_token(url)}"}
        self.orders = itertools.cycle((("BUY", "0.001"), ("SELL", "0.0009")))

    def api(self, path: str, **query: Any) -> Any:
        answer = httpx.get(f"{self.url}/api/{path}", params=query, timeout=10)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def trade(self) -> None:
        """One market order, buying 0.001 BTC and selling 0.0009 in turn (the buy's fee is in
        BTC), which makes an exchange trade against the feed's book."""
        side, quantity = next(self.orders)
        order = httpx.post(
            f"{self.url}/api/orders/",
            json={
                "symbol": SYMBOL,
                "side": side,
                "type": "MARKET",
                "quantity": quantity,
            },
            headers=self.headers,
            timeout=30,
        )
        assert order.status_code == 201, order.text

    def trade_by_id(self) -> dict[int, dict[str, Any]]:
        """Paperex's own public trades by id, with ``/api/v3/trades``' time of each."""
        ours = {t["id"]: t for t in self.api(f"markets/{SYMBOL}/trades/", limit=100)}
        for row in self.api("v3/trades", symbol=SYMBOL, limit=100):
            if row["id"] in ours:
                ours[row["id"]]["time_ms"] = row["time"]
        return ours

    def rest_a_bid(self) -> None:
        """A limit buy a tenth below the best bid, on the tick: it rests, so the exchange
        book (the users' orders) takes part in the tradable book."""
        bid = D(self.api(f"markets/{SYMBOL}/book/", depth=1, source="merged")["bids"][0][0])
        tick = D(next(m for m in self.api("markets/") if m["symbol"] == SYMBOL)["tick_size"])
        order = httpx.post(
            f"{self.url}/api/orders/",
            json={
                "symbol": SYMBOL,
                "side": "BUY",
                "type": "LIMIT",
                "quantity": "0.001",
                "price": str((bid * D("0.9")).quantize(tick, rounding=ROUND_DOWN)),
            },
            headers=self.headers,
            timeout=30,
        )
        assert order.status_code == 201, order.text

    def depth(self) -> dict[str, Any]:
        """Paperex's ``/api/v3/depth`` of every level."""
        answer = httpx.get(
            f"{self.url}/api/v3/depth", params={"symbol": SYMBOL, "limit": 5000}, timeout=10
        )
        assert answer.status_code == 200, answer.text
        return dict(answer.json())

    @contextlib.asynccontextmanager
    async def trading(self) -> AsyncIterator[None]:
        """An order every few tenths of a second while the block runs, so that trades come
        whenever a client has subscribed, and python-binance's sockets, which end their read
        loop at their next message (or after 10 s), close soon."""

        async def trade_forever() -> None:
            while True:
                await asyncio.to_thread(self.trade)
                await asyncio.sleep(0.3)

        task = asyncio.create_task(trade_forever())
        try:
            yield
        finally:
            task.cancel()
            await asyncio.wait({task})


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Paperex]:
    """A server whose synthetic feed runs, once BTCUSDT has a ticker."""
    with (
        prepared_environment(tmp_path_factory.mktemp("binance-streams")) as env,
        running_server(env) as url,
    ):
        wait_until(
            lambda: httpx.get(f"{url}/api/markets/{SYMBOL}/ticker/", timeout=10).status_code == 200,
            timeout=WAIT_SECONDS,
            what="a BTCUSDT ticker",
        )
        yield Paperex(url)


def assert_trade_is_paperex(trade: dict[str, Any], ours: dict[int, dict[str, Any]]) -> None:
    """A ``@trade`` payload against Paperex's own record of the trade."""
    own = ours[trade["t"]]
    assert (D(trade["p"]), D(trade["q"]), trade["m"], trade["T"]) == (
        D(own["price"]),
        D(own["quantity"]),
        own["taker_side"] == "SELL",
        own["time_ms"],
    )
    assert trade["s"] == SYMBOL


# python-binance ----------------------------------------------------------------------------


@pytest.fixture
async def sockets(server: Paperex, monkeypatch: pytest.MonkeyPatch) -> Any:
    """python-binance's socket manager with its REST and stream URLs moved to the server."""
    monkeypatch.setattr(AsyncClient, "API_URL", f"{server.url}/api")
    monkeypatch.setattr(BinanceSocketManager, "STREAM_URL", server.stream_url)
    client = await AsyncClient.create()
    yield BinanceSocketManager(client)
    await client.close_connection()


async def test_python_binance_trade_socket(server: Paperex, sockets: BinanceSocketManager) -> None:
    async with server.trading(), sockets.trade_socket(SYMBOL) as socket:
        trade = await asyncio.wait_for(socket.recv(), WAIT_SECONDS)
    assert trade["e"] == "trade"
    assert_trade_is_paperex(trade, server.trade_by_id())


async def test_python_binance_depth_socket_keeps_paperex_book(
    server: Paperex, sockets: BinanceSocketManager
) -> None:
    async with sockets.depth_socket(SYMBOL) as socket:

        async def diff() -> dict[str, Any]:
            return dict(await asyncio.wait_for(socket.recv(), WAIT_SECONDS))

        buffered = [await diff()]
        await asyncio.to_thread(server.rest_a_bid)
        snapshot = await asyncio.to_thread(server.depth)
        while buffered[-1]["u"] <= snapshot["lastUpdateId"]:
            buffered.append(await diff())
        local = LocalBook(snapshot, buffered)
        for _ in range(BOOK_UPDATES):
            local.apply(await diff())
        await matches_paperex(server, local, diff)


async def matches_paperex(server: Paperex, local: LocalBook, diff: Any) -> None:
    """Paperex's book at the local book's update id is the local book: a ``/api/v3/depth``
    read, then the diffs up to its update id (again when a diff spans it)."""
    for _ in range(10):
        depth = await asyncio.to_thread(server.depth)
        while local.update_id < depth["lastUpdateId"]:
            local.apply(await diff())
        if local.update_id == depth["lastUpdateId"]:
            assert local.equals(depth)
            assert len(local.levels("bids")) > 1
            return
    pytest.fail("no /api/v3/depth answer at an update id of the stream's")


async def test_python_binance_kline_socket(server: Paperex, sockets: BinanceSocketManager) -> None:
    async with sockets.kline_socket(SYMBOL, AsyncClient.KLINE_INTERVAL_1MINUTE) as socket:
        event = await asyncio.wait_for(socket.recv(), WAIT_SECONDS)
    candle = event["k"]
    assert (event["e"], event["s"], candle["s"], candle["i"]) == ("kline", SYMBOL, SYMBOL, "1m")
    assert candle["T"] == candle["t"] + 59_999
    assert D(candle["l"]) <= min(D(candle["o"]), D(candle["c"]))
    assert D(candle["h"]) >= max(D(candle["o"]), D(candle["c"]))
    # A candle's open does not change: Paperex's klines say the same of that minute, once the
    # minute is stored (the stream's candle can come first on a slow machine).
    klines = wait_until(
        lambda: server.api(
            "v3/klines", symbol=SYMBOL, interval="1m", startTime=candle["t"], limit=1
        ),
        timeout=WAIT_SECONDS,
        what="the stream's minute in /api/v3/klines",
        interval=0.2,
    )
    assert [(k[0], k[1]) for k in klines] == [(candle["t"], candle["o"])]


async def test_python_binance_multiplex_socket(
    server: Paperex, sockets: BinanceSocketManager
) -> None:
    streams = ["btcusdt@trade", "btcusdt@kline_1m"]
    seen: dict[str, dict[str, Any]] = {}

    async def both() -> None:
        while len(seen) < len(streams):
            frame = await socket.recv()
            seen[frame["stream"]] = frame["data"]

    async with server.trading(), sockets.multiplex_socket(streams) as socket:
        await asyncio.wait_for(both(), WAIT_SECONDS)
    assert set(seen) == set(streams)
    assert seen["btcusdt@kline_1m"]["k"]["i"] == "1m"
    assert_trade_is_paperex(seen["btcusdt@trade"], server.trade_by_id())


def test_python_binance_threaded_manager_trade_socket(
    server: Paperex, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(AsyncClient, "API_URL", f"{server.url}/api")
    monkeypatch.setattr(BinanceSocketManager, "STREAM_URL", server.stream_url)
    received: list[dict[str, Any]] = []
    done = threading.Event()

    def trade_until_done() -> None:  # (its socket then closes at its next message)
        while not done.wait(0.3):
            server.trade()

    trader = threading.Thread(target=trade_until_done, name="trader")
    manager = ThreadedWebsocketManager()
    manager.start()
    trader.start()
    try:
        manager.start_trade_socket(callback=received.append, symbol=SYMBOL)
        wait_until(
            lambda: any(message.get("e") == "trade" for message in received),
            timeout=WAIT_SECONDS,
            what="a trade on the threaded socket",
            interval=0.1,
        )
    finally:
        manager.stop()
        manager.join(timeout=WAIT_SECONDS)
        done.set()
        trader.join(timeout=WAIT_SECONDS)
    trade = next(message for message in received if message.get("e") == "trade")
    assert_trade_is_paperex(trade, server.trade_by_id())


# ccxt.pro ----------------------------------------------------------------------------------


@pytest.fixture
async def exchange(server: Paperex) -> Any:
    """ccxt.pro's binance with its REST URLs and its spot stream URL moved to the server."""
    urls: dict[str, Any] = {
        name: server.url + urlsplit(url).path
        for name, url in ccxt.binance().urls["api"].items()
        if isinstance(url, str)
    }
    urls["ws"] = {"spot": server.stream_url + "ws"}
    pro = ccxt.pro.binance(
        {"urls": {"api": urls}, "options": {"fetchMarkets": {"types": ["spot"]}}}
    )
    yield pro
    await pro.close()


async def test_ccxt_pro_watch_order_book_stays_in_sync(server: Paperex, exchange: Any) -> None:
    book = await asyncio.wait_for(exchange.watch_order_book("BTC/USDT"), WAIT_SECONDS)
    await asyncio.to_thread(server.rest_a_bid)
    for _ in range(BOOK_UPDATES):
        book = await asyncio.wait_for(exchange.watch_order_book("BTC/USDT"), WAIT_SECONDS)
    for _ in range(10):
        depth = await asyncio.to_thread(server.depth)
        while book["nonce"] < depth["lastUpdateId"]:
            book = await asyncio.wait_for(exchange.watch_order_book("BTC/USDT"), WAIT_SECONDS)
        if book["nonce"] == depth["lastUpdateId"]:
            break
    assert book["nonce"] == depth["lastUpdateId"]
    for side in ("bids", "asks"):
        theirs = [(D(str(price)), D(str(quantity))) for price, quantity in book[side]]
        assert theirs == [(D(price), D(quantity)) for price, quantity in depth[side]]


async def test_ccxt_pro_watch_trades(server: Paperex, exchange: Any) -> None:
    async with server.trading():
        trades = await asyncio.wait_for(exchange.watch_trades("BTC/USDT"), WAIT_SECONDS)
    ours = server.trade_by_id()
    assert trades
    for trade in trades:
        own = ours[int(trade["id"])]
        assert (D(str(trade["price"])), D(str(trade["amount"])), trade["side"]) == (
            D(own["price"]),
            D(own["quantity"]),
            own["taker_side"].lower(),
        )
        assert trade["timestamp"] == own["time_ms"]
        assert trade["symbol"] == "BTC/USDT"
