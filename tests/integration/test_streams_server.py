"""The WebSocket streams on the real server (`paperex serve` in its own process), spoken to with
real WebSocket clients over 127.0.0.1.

Embedded (no REDIS_URL): the server runs the synthetic feed and the tests watch what it sends.
With REDIS_URL: the servers run without a feed and the tests publish the events themselves into
the Redis market-data channel, as a feed process would; a second server process shows that one
event published once reaches the clients of both.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
import os
import re
import socket
import struct
import subprocess
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx
import pytest
import redis.asyncio as redis
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from paperex.domain import Side
from paperex.marketdata.bus import encode_event, redis_channel
from paperex.marketdata.events import Event, MiniTicker, Trade
from paperex.support.async_tasks import cancel_and_wait
from paperex.support.clock import wall_clock_ms
from tests.integration.servers import PAPEREX, prepared_environment, unmeasured
from tests.support.network import unused_port
from tests.support.waiting import async_wait_until

pytestmark = pytest.mark.integration
REDIS_URL = os.environ.get("REDIS_URL")
TRADE_KEYS = {
    "event",
    "event_time",
    "symbol",
    "price",
    "quantity",
    "trade_time",
    "market_maker",
    "ignore",
}
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$")
SLOW_CONSUMER_CLOSE_CODE = 4008
MESSAGE_TOO_BIG = 1009
FLOOD_BATCH = 500
SERVER_WS_MAX_SIZE = 64 * 1024
"""``paperex serve``'s limit on a client's message."""
MARKER_BASE = 7_000_000_000 + (os.getpid() % 1000) * 10_000_000
"""Trade ids of the events these tests publish (other publishers on the Redis channel may be
about: frames are recognised by these ids)."""
_markers = itertools.count(MARKER_BASE)


# --- servers ----------------------------------------------------------------------------------


@dataclass
class Server:
    port: int
    process: subprocess.Popen[str]

    @property
    def http(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def ws(self, path: str) -> str:
        return f"ws://127.0.0.1:{self.port}{path}"

    def alive(self) -> bool:
        return self.process.poll() is None


def start_server(env: dict[str, str], *, feed: bool) -> Server:
    port = unused_port()
    command = [*PAPEREX, "serve", "--port", str(port)] + ([] if feed else ["--no-feed"])
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    server = Server(port, process)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if not server.alive():
            output = process.stdout.read() if process.stdout else ""
            pytest.fail(f"server exited: {output}")
        try:
            if httpx.get(f"{server.http}/api/health/live/", timeout=1).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    stop_server(server)
    pytest.fail("server did not answer within 30 s")


def stop_server(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait(timeout=5)


@pytest.fixture(scope="module")
def server_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A migrated, seeded database of the module's own. The matching engine owns its database's
    books, one process at a time; the streams do not need it, and several servers here share one
    database."""
    with prepared_environment(tmp_path_factory.mktemp("streams-server")) as env:
        yield {**env, "PAPEREX_RUN_ENGINE": "false"}


@pytest.fixture(scope="module")
def server(server_env: dict[str, str]) -> Iterator[Server]:
    """Embedded: the synthetic feed runs in the server. With Redis: no feed; tests publish."""
    running = start_server(server_env, feed=REDIS_URL is None)
    yield running
    stop_server(running)


@dataclass
class RedisBackedServer:
    """A server without a feed whose events come through the Redis at ``url``."""

    server: Server
    env: dict[str, str]
    url: str


@pytest.fixture(scope="module")
def redis_backed(server_env: dict[str, str], redis_url: str) -> Iterator[RedisBackedServer]:
    """A server of its own on the tests' Redis (REDIS_URL's, or one the tests started). It runs
    without coverage measurement, whose tracing would slow it below the pace these tests hold
    healthy clients to."""
    env = {**unmeasured(server_env), "REDIS_URL": redis_url}
    running = start_server(env, feed=False)
    yield RedisBackedServer(running, env, redis_url)
    stop_server(running)


# --- events -----------------------------------------------------------------------------------


def marked_trade(symbol: str, price: str = "101.5") -> Trade:
    """A trade whose id marks it as this test run's, stamped with the time it is made."""
    sent = wall_clock_ms()
    return Trade(
        venue="tests",
        symbol=symbol,
        event_time=sent,
        received_at=sent,
        trade_id=next(_markers),
        price=Decimal(price),
        quantity=Decimal("0.25"),
        trade_time=sent,
        aggressor=Side.SELL,
    )


@contextlib.asynccontextmanager
async def redis_publisher(
    url: str | None = REDIS_URL,
) -> AsyncIterator[Callable[[list[Event]], Any]]:
    """Publishes into the market-data channel of the Redis at ``url``, as a feed process would."""
    assert url is not None
    client = redis.Redis.from_url(url)

    async def publish(events: list[Event]) -> None:
        pipe = client.pipeline(transaction=False)
        for event in events:
            pipe.publish(redis_channel(url), encode_event(event))
        await pipe.execute()

    try:
        yield publish
    finally:
        await client.aclose()


async def receive_json(socket: ClientConnection, seconds: float = 10) -> dict[str, Any]:
    frame = json.loads(await asyncio.wait_for(socket.recv(), seconds))
    assert isinstance(frame, dict)
    return frame


async def receive_until(
    socket: ClientConnection, wanted: Callable[[dict[str, Any]], bool], seconds: float, what: str
) -> dict[str, Any]:
    """The first frame that is ``wanted``; fails after ``seconds``."""
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        try:
            frame = await receive_json(socket, left)
        except TimeoutError:
            break
        if wanted(frame):
            return frame
    pytest.fail(f"not within {seconds} s: {what}")


async def next_trade(
    socket: ClientConnection, symbol: str, events_redis: str | None = REDIS_URL
) -> dict[str, Any]:
    """The next trade of ``symbol`` on a socket subscribed to its trades: one the synthetic feed
    makes (no ``events_redis``), or one this test publishes into that Redis."""
    if events_redis is None:
        return await receive_until(
            socket,
            lambda f: f.get("event") == "trade" and f.get("symbol") == symbol,
            20,
            f"a {symbol} trade from the synthetic feed",
        )
    trade = marked_trade(symbol)
    async with redis_publisher(events_redis) as publish:
        await publish([trade])
    return await receive_until(
        socket, lambda f: f.get("trade_id") == trade.trade_id, 10, "the published trade"
    )


async def subscribe(socket: ClientConnection, pair: str, stream: str) -> None:
    await socket.send(json.dumps({"action": "subscribe", "pair": pair, "stream": stream}))
    answer = await receive_until(socket, lambda f: "action" in f, 10, "the acknowledgement")
    assert answer == {"action": "subscribe", "subscription": f"{pair}-{stream}", "result": True}


# --- /stream/ ---------------------------------------------------------------------------------


async def test_stream_acknowledges_subscriptions_and_sends_trades(server: Server) -> None:
    async with connect(server.ws("/stream/")) as socket:
        await subscribe(socket, "BTCUSDT", "trade")
        await socket.send(json.dumps({"action": "list"}))
        listed = await receive_until(socket, lambda f: "action" in f, 10, "the list")
        assert listed == {"action": "list", "result": ["BTCUSDT-trade"]}

        await socket.send(json.dumps({"action": "subscribe", "pair": "NOPEUSDT", "stream": "x"}))
        refused = await receive_until(socket, lambda f: "action" in f, 10, "a refusal")
        assert refused["result"] is False
        assert "NOPEUSDT" in refused["error"]
        await socket.send(
            json.dumps({"action": "subscribe", "pair": "BTCUSDT", "stream": "gossip"})
        )
        refused = await receive_until(socket, lambda f: "action" in f, 10, "a refusal")
        assert refused["result"] is False
        assert "gossip" in refused["error"]

        trade = await next_trade(socket, "BTCUSDT")
    assert trade.keys() >= TRADE_KEYS
    assert trade["event"] == "trade"
    assert trade["symbol"] == "BTCUSDT"
    for number in ("price", "quantity"):
        assert isinstance(trade[number], int | float)
        assert trade[number] > 0
    assert isinstance(trade["event_time"], int)
    assert isinstance(trade["trade_time"], int)
    assert isinstance(trade["market_maker"], bool)
    assert trade["ignore"] is None


async def test_unsubscribing_stops_the_stream(server: Server) -> None:
    async with connect(server.ws("/stream/")) as socket:
        await subscribe(socket, "ETHUSDT", "trade")
        await next_trade(socket, "ETHUSDT")
        await socket.send(
            json.dumps({"action": "unsubscribe", "pair": "ETHUSDT", "stream": "trade"})
        )
        answer = await receive_until(socket, lambda f: "action" in f, 10, "the answer")
        assert answer == {"action": "unsubscribe", "subscription": "ETHUSDT-trade", "result": True}
        await socket.send(json.dumps({"action": "list"}))
        listed = await receive_until(socket, lambda f: "action" in f, 10, "the list")
        assert listed == {"action": "list", "result": []}


# --- /ws/stocks/<ticker>/ ---------------------------------------------------------------------


def assert_stock_frame(frame: dict[str, Any]) -> None:
    assert frame["ticker"] == "AAPL"
    if "error" in frame:
        assert "price" not in frame
        assert frame["error"]
    elif "alert" not in frame:
        assert frame["price"] > 0, "a stock price of 0 must be an error frame instead"
        assert TIMESTAMP.match(frame["timestamp"])
        assert frame["moving_average_5min"] > 0


async def test_stock_monitor_connects_then_sends_a_price_or_an_explicit_error(
    server: Server,
) -> None:
    async with connect(server.ws("/ws/stocks/aapl/")) as socket:
        assert await receive_json(socket) == {"message": "Connected to AAPL WebSocket"}
        first = await receive_json(socket)
        assert_stock_frame(first)
        if REDIS_URL is not None:
            async with redis_publisher() as publish:
                await publish([marked_trade("AAPL", "190.25")])
        update = await receive_until(socket, lambda f: "price" in f, 20, "an AAPL price")
        assert_stock_frame(update)
        if REDIS_URL is not None:
            assert update["price"] == 190.25


async def test_stock_monitor_refuses_an_unknown_ticker(server: Server) -> None:
    async with connect(server.ws("/ws/stocks/NOSUCH/")) as socket:
        frame = await receive_json(socket)
        assert frame["ticker"] == "NOSUCH"
        assert "Unknown ticker" in frame["error"]
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(socket.recv(), 10)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4004


# --- /ws/markets/ -----------------------------------------------------------------------------


async def test_all_markets_sends_a_snapshot_then_mini_tickers(server: Server) -> None:
    async with connect(server.ws("/ws/markets/"), max_size=None) as socket:
        snapshot = await receive_json(socket)
        assert snapshot["event"] == "mini_tickers"
        assert isinstance(snapshot["tickers"], list)
        for ticker in snapshot["tickers"]:
            assert ticker["event"] == "mini_ticker"
            assert {"symbol", "close", "open", "high", "low", "volume"} <= ticker.keys()
        if REDIS_URL is not None:
            sent = wall_clock_ms()
            mini = MiniTicker(
                venue="tests",
                symbol="DOTUSDT",
                event_time=sent,
                received_at=sent,
                close=Decimal("6.125"),
                open=Decimal("6"),
                high=Decimal("6.5"),
                low=Decimal("5.9"),
                volume=Decimal("1000"),
                quote_volume=Decimal("6100"),
            )
            async with redis_publisher() as publish:
                await publish([mini])
        update = await receive_until(
            socket, lambda f: f.get("event") == "mini_ticker", 20, "a mini ticker update"
        )
    assert {"symbol", "event_time", "close", "open", "high", "low", "volume"} <= update.keys()
    assert update["close"] > 0
    if REDIS_URL is not None:
        assert update["symbol"] == "DOTUSDT"
        assert update["close"] == 6.125


async def test_one_market_view_starts_with_a_snapshot(server: Server) -> None:
    async with connect(server.ws("/ws/markets/BTCUSDT/"), max_size=None) as socket:
        snapshot = await receive_json(socket)
    assert snapshot["event"] == "snapshot"
    assert snapshot["symbol"] == "BTCUSDT"
    assert {"candles", "open_candle", "book", "trades"} <= snapshot.keys()
    assert {"last_update_id", "in_sync", "bids", "asks"} <= snapshot["book"].keys()


# --- bad input --------------------------------------------------------------------------------


async def test_bad_input_gets_error_frames_and_harms_no_one(server: Server) -> None:
    async with (
        connect(server.ws("/stream/")) as bystander,
        connect(server.ws("/stream/")) as rude,
    ):
        await subscribe(bystander, "BNBUSDT", "trade")
        bad_input: list[tuple[str | bytes, str]] = [
            ("{not json", "Malformed JSON."),
            ("[1, 2, 3]", "Send a JSON object."),
            (json.dumps({"action": "dance"}), "Unknown action 'dance'"),
            (b"\x00\x01binary", "Send JSON text frames"),
            (json.dumps({"action": "list", "padding": "x" * 5_000}), "Message too long"),
        ]
        for bad, error in bad_input:
            await rude.send(bad)
            frame = await receive_json(rude)
            assert error in frame["error"]

        # A bounded flood: every message is answered, the excess with an error, nothing dropped.
        flood = 60
        for _ in range(flood):
            await rude.send(json.dumps({"action": "list"}))
        answers = [await receive_json(rude) for _ in range(flood)]
        limited = [a for a in answers if "Too many messages" in a.get("error", "")]
        assert limited, "the flood was not rate limited"
        assert all(a == {"action": "list", "result": []} for a in answers if a not in limited)

        # The connection stays usable once the client slows down.
        async def served() -> bool:
            await rude.send(json.dumps({"action": "list"}))
            return await receive_json(rude) == {"action": "list", "result": []}

        await async_wait_until(served, timeout=10, interval=0.2, what="an answer after the flood")

        # A frame beyond the server's size limit closes only that connection (1009).
        async with connect(server.ws("/stream/"), max_size=None) as huge:
            with pytest.raises(ConnectionClosed) as closed:
                await send_and_read(huge, "x" * (SERVER_WS_MAX_SIZE + 1))
            assert closed.value.rcvd is not None
            assert closed.value.rcvd.code == MESSAGE_TOO_BIG

        trade = await next_trade(bystander, "BNBUSDT")
        assert trade["symbol"] == "BNBUSDT"
    assert server.alive()
    assert httpx.get(f"{server.http}/api/health/live/", timeout=10).status_code == 200


async def send_and_read(socket: ClientConnection, text: str) -> None:
    """Send ``text`` and wait for a frame; the server may close while it is being sent."""
    await socket.send(text)
    await asyncio.wait_for(socket.recv(), 20)


# --- a client that stops reading --------------------------------------------------------------


class RawWebSocket:
    """A client on a plain socket with a small receive buffer: it completes the handshake,
    sends what it is told and reads only when asked to."""

    def __init__(self, port: int, path: str) -> None:
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        self.sock.settimeout(10)
        self.sock.connect(("127.0.0.1", port))
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall(
            f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
            "Sec-WebSocket-Version: 13\r\n\r\n".encode()
        )
        self.buffer = b""
        while b"\r\n\r\n" not in self.buffer:
            self.buffer += self.sock.recv(4096)
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        assert head.startswith(b"HTTP/1.1 101"), head

    def send_text(self, text: str) -> None:
        payload, mask = text.encode(), os.urandom(4)
        assert len(payload) < 126
        masked = bytes(byte ^ mask[index % 4] for index, byte in enumerate(payload))
        self.sock.sendall(struct.pack("!BB", 0x81, 0x80 | len(payload)) + mask + masked)

    def read_to_the_end(self, seconds: float) -> tuple[list[bytes], int | None]:
        """Every text frame until the server closes (close code, or None for a dropped
        connection); fails after ``seconds``."""
        frames: list[bytes] = []
        buffer, position = bytearray(self.buffer), 0
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            while len(buffer) - position >= 2:
                length, start = buffer[position + 1] & 0x7F, position + 2
                if length == 126:
                    if len(buffer) - position < 4:
                        break
                    length, start = int.from_bytes(buffer[start : start + 2], "big"), start + 2
                elif length == 127:
                    if len(buffer) - position < 10:
                        break
                    length, start = int.from_bytes(buffer[start : start + 8], "big"), start + 8
                if len(buffer) < start + length:
                    break
                opcode, payload = buffer[position] & 0x0F, bytes(buffer[start : start + length])
                position = start + length
                if opcode == 8:
                    return frames, int.from_bytes(payload[:2], "big") if payload else None
                if opcode == 1:
                    frames.append(payload)
            del buffer[:position]
            position = 0
            try:
                chunk = self.sock.recv(1 << 16)
            except (ConnectionResetError, TimeoutError):
                return frames, None
            if not chunk:
                return frames, None
            buffer += chunk
        pytest.fail(f"the server neither closed nor dropped the slow client within {seconds} s")

    def close(self) -> None:
        self.sock.close()


async def test_a_client_that_stops_reading_is_dropped_and_the_others_keep_up(
    redis_backed: RedisBackedServer,
) -> None:
    # The test publishes the flood itself: the synthetic feed (~25 kB/s) would take minutes to
    # fill a socket's buffers.
    server, url = redis_backed.server, redis_backed.url
    symbol, total = "MINAUSDT", 30_000
    slow = RawWebSocket(server.port, "/stream/")
    try:
        slow.send_text(json.dumps({"action": "subscribe", "pair": symbol, "stream": "trade"}))
        async with (
            connect(server.ws("/stream/")) as first,
            connect(server.ws("/stream/")) as second,
        ):
            for healthy in (first, second):
                await subscribe(healthy, symbol, "trade")
            # The slow client's subscription is in place once a healthy one sees a trade after
            # it (the server handles one connection's requests in order, the hub in order).
            await next_trade(first, symbol, url)
            await next_trade(second, symbol, url)
            first_id = next(_markers) + 1
            arrived = [0, 0]
            readers = [
                asyncio.create_task(count_marked(s, first_id, total, arrived, index))
                for index, s in enumerate((first, second))
            ]
            try:
                async with redis_publisher(url) as publish:
                    for start in range(0, total, FLOOD_BATCH):
                        # Paced by the healthy readers (a few batches ahead of them at most), so a
                        # slow machine cannot make them slow consumers; the one that reads nothing
                        # still has its buffers filled.
                        await async_wait_until(
                            lambda start=start: min(arrived) >= start - 2 * FLOOD_BATCH,
                            timeout=20,
                            what="the healthy clients to read the flood",
                        )
                        await publish(
                            [marked_trade(symbol) for _ in range(min(FLOOD_BATCH, total - start))]
                        )
                results = await asyncio.wait_for(asyncio.gather(*readers), 45)
            finally:
                await cancel_and_wait(*readers)
        for received, worst_lag_ms in results:
            assert received == total, "a client that kept reading lost frames"
            assert worst_lag_ms < 5_000, f"a healthy client fell {worst_lag_ms} ms behind"
        frames, code = await asyncio.to_thread(slow.read_to_the_end, 30)
    finally:
        slow.close()
    marked = [f for f in frames if b'"trade_id":' in f]
    assert len(marked) < total, "the slow client was never cut off"
    assert code in (SLOW_CONSUMER_CLOSE_CODE, None)
    assert server.alive()


async def count_marked(
    socket: ClientConnection, first_id: int, total: int, arrived: list[int], index: int
) -> tuple[int, int]:
    """How many of the ``total`` published trades (ids from ``first_id``) arrive, in order, and
    the worst delay from publishing to arrival (ms); counted as they come in ``arrived[index]``."""
    received, worst, expected = 0, 0, first_id
    while received < total:
        frame = json.loads(await asyncio.wait_for(socket.recv(), 20))
        trade_id = frame.get("trade_id", 0)
        if trade_id < first_id:
            continue
        assert trade_id == expected, f"frame {expected} missing or out of order"
        expected += 1
        received += 1
        arrived[index] = received
        worst = max(worst, wall_clock_ms() - frame["event_time"])
    return received, worst


# --- two server processes on Redis ------------------------------------------------------------


async def test_an_event_published_once_reaches_clients_of_two_server_processes(
    redis_backed: RedisBackedServer,
) -> None:
    server, url = redis_backed.server, redis_backed.url
    other = await asyncio.to_thread(start_server, redis_backed.env, feed=False)
    try:
        async with (
            connect(server.ws("/stream/")) as on_first,
            connect(other.ws("/stream/")) as on_second,
        ):
            for socket in (on_first, on_second):
                await subscribe(socket, "ATOMUSDT", "trade")
            once, then = marked_trade("ATOMUSDT"), marked_trade("ATOMUSDT")
            async with redis_publisher(url) as publish:
                await publish([once])
                for socket in (on_first, on_second):
                    frame = await receive_until(
                        socket, lambda f: f.get("trade_id", 0) >= MARKER_BASE, 10, "the event"
                    )
                    assert frame["trade_id"] == once.trade_id
                # Exactly once: the next marked frame on each is the next event, no duplicate.
                await publish([then])
                for socket in (on_first, on_second):
                    frame = await receive_until(
                        socket, lambda f: f.get("trade_id", 0) >= MARKER_BASE, 10, "the next"
                    )
                    assert frame["trade_id"] == then.trade_id
    finally:
        await asyncio.to_thread(stop_server, other)
