"""``paperex watch`` as a process: against a real server, through a proxy that drops its
connection, offline, and against the local fake Binance."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from paperex.marketdata.feed import RawMessage
from paperex.marketdata.recording import RecordingHeader, RecordingWriter
from paperex.marketdata.watch.lines import GREEN, RED
from paperex.support.clock import wall_clock_ms
from tests.integration.servers import prepared_environment, running_server
from tests.integration.watching import CuttableProxy, WatchProcess
from tests.marketdata.fakes.binance_rest import FakeBinanceRestServer, symbol_info
from tests.marketdata.fakes.binance_stream import FakeBinanceStreamServer
from tests.marketdata.fakes.binance_venue import trade
from tests.support.network import unused_port
from tests.support.waiting import async_wait_until

pytestmark = pytest.mark.integration
SUMMARY = re.compile(r"^\d+ updates  high [\d.]+  low [\d.]+  last [\d.]+$")
KLINE_KEYS = {
    "time",
    "symbol",
    "interval",
    "tag",
    "price",
    "open",
    "high",
    "low",
    "close",
    "average",
    "closed",
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with (
        prepared_environment(tmp_path_factory.mktemp("watch")) as env,
        running_server(env) as url,
    ):
        yield url


def exact(text: str) -> Decimal:
    assert isinstance(text, str)
    return Decimal(text)


async def test_kline_updates_from_a_server_as_json_then_ctrl_c_summarises(server: str) -> None:
    watch = await WatchProcess.start(
        "btcusdt", "--server", server, "--interval", "1s", "--format", "json", "--min-price", "1"
    )
    objects = [json.loads(line) for line in await watch.lines(3)]
    assert await watch.finish() == 0
    for kline in objects:
        assert set(kline) == KLINE_KEYS | {"above", "crossed"}
        assert (kline["symbol"], kline["interval"], kline["tag"]) == ("BTCUSDT", "1s", "c")
        prices = [exact(kline[name]) for name in ("open", "high", "low", "close")]
        assert exact(kline["average"]) == sum(prices) / 4
        assert exact(kline["price"]) == exact(kline["close"])
        assert kline["above"] is True
    assert SUMMARY.match(watch.errors[-1]), watch.errors


async def test_trades_from_a_server(server: str) -> None:
    watch = await WatchProcess.start("BTCUSDT", "--server", server, "--trades", "--format", "json")
    trades = [json.loads(line) for line in await watch.lines(3)]
    assert await watch.finish() == 0
    for trade_line in trades:
        assert set(trade_line) == {"time", "symbol", "price", "quantity", "side"}
        assert exact(trade_line["price"]) > 0
        assert exact(trade_line["quantity"]) > 0
        assert trade_line["side"] in {"buy", "sell"}


async def test_an_unknown_symbol_is_one_line_and_status_2(server: str) -> None:
    watch = await WatchProcess.start("NOPEUSDT", "--server", server)
    assert await watch.finish(interrupt=False) == 2
    assert watch.errors == [f"paperex: watch: unknown symbol NOPEUSDT at {server}"]


async def test_a_dropped_connection_reconnects_and_goes_on(server: str) -> None:
    async with CuttableProxy(urlsplit(server).port or 80) as proxy:
        watch = await WatchProcess.start("BTCUSDT", "--server", proxy.url, "--trades")
        await watch.line()
        connections = proxy.connections
        proxy.cut()
        cut_at_ms = wall_clock_ms()
        await async_wait_until(lambda: proxy.connections > connections, timeout=20)
        # A trade made after the cut can only have come over the new connection.
        for _ in range(1_000):
            if int((await watch.line()).split()[0]) > cut_at_ms:
                break
        else:
            pytest.fail("no trade after the reconnect")
        assert await watch.finish() == 0
    lost = [line for line in watch.errors if line.startswith("connection lost")]
    assert lost, watch.errors
    assert re.fullmatch(r"connection lost, reconnecting in \d+\.\d s…", lost[0])


async def test_no_server_says_so_and_suggests_offline() -> None:
    watch = await WatchProcess.start("BTCUSDT", "--server", f"http://127.0.0.1:{unused_port()}")
    assert await watch.finish(interrupt=False) == 2
    [message] = watch.errors
    assert message.startswith("paperex: watch: no Paperex server answers at")
    assert "--offline" in message


async def test_offline_prints_synthetic_klines_without_any_server() -> None:
    env = {**os.environ, "PAPEREX_BINANCE_STREAM_URL": "ws://127.0.0.1:9"}
    watch = await WatchProcess.start("BTCUSDT", "--offline", "--interval", "1s", env=env)
    lines = await watch.lines(3)
    assert await watch.finish() == 0
    for line in lines:
        assert re.match(r"^\d{13}  BTCUSDT 1s  c [\d.]+  o [\d.]+  h [\d.]+  l [\d.]+", line)
        assert "\033[" not in line  # no colour into a pipe
    assert SUMMARY.match(watch.errors[-1])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("NOPE", "--offline"), "paperex: watch: unknown symbol NOPE (offline markets: BTCUSDT"),
        (("BTCUSDT", "--offline", "--interval", "7m"), "paperex: watch: unknown interval '7m'"),
    ],
)
async def test_offline_refuses_an_unknown_symbol_or_interval(
    args: tuple[str, ...], message: str
) -> None:
    watch = await WatchProcess.start(*args)
    assert await watch.finish(interrupt=False) == 2
    [line] = watch.errors
    assert line.startswith(message)


def binance_kline(close: str, event_time: int) -> dict[str, object]:
    return {
        "e": "kline",
        "E": event_time,
        "s": "BTCUSDT",
        "k": {
            "t": 1_700_000_040_000,
            "T": 1_700_000_099_999,
            "s": "BTCUSDT",
            "i": "1m",
            "f": 1,
            "L": 2,
            "o": "65000.00",
            "c": close,
            "h": "65100.00",
            "l": "64900.00",
            "v": "1.5",
            "n": 2,
            "x": False,
            "q": "97500.00",
            "V": "1",
            "Q": "65000",
            "B": "0",
        },
    }


async def test_binance_klines_and_trades_from_the_local_fake_venue(tmp_path: Path) -> None:
    async with FakeBinanceStreamServer() as stream, FakeBinanceRestServer() as rest:
        rest.symbols.append(symbol_info("BTCUSDT", "BTC", "USDT", "0.01", "0.00001", "5"))
        env = {
            **os.environ,
            "PAPEREX_BINANCE_STREAM_URL": stream.url,
            "PAPEREX_BINANCE_REST_URL": rest.url,
        }
        klines = await WatchProcess.start(
            "BTCUSDT", "--venue", "binance", "--convert-time", "--price-tag", "h", env=env
        )
        trades = await WatchProcess.start(
            "BTCUSDT", "--venue", "binance", "--trades", "--format", "csv", env=env
        )
        await async_wait_until(lambda: len(stream.open_connections) == 2, timeout=20)
        await stream.publish("btcusdt@kline_1m", binance_kline("65050.25", 1_700_000_050_000))
        await stream.publish("btcusdt@trade", trade("BTCUSDT", 1, "65050.25", "0.002"))
        assert await klines.line() == (
            "2023-11-14 22:14:10.000  BTCUSDT 1m  h 65100.00  o 65000.00  h 65100.00  "
            "l 64900.00  c 65050.25  avg 65012.5625"
        )
        assert await trades.lines(2) == [
            "time,symbol,price,quantity,side",
            "1700000000001,BTCUSDT,65050.25,0.002,buy",  # m=false: the buyer took,
        ]
        assert await klines.finish() == 0
        assert await trades.finish() == 0
        unknown = await WatchProcess.start("ETHUSDT", "--venue", "binance", env=env)
        assert await unknown.finish(interrupt=False) == 2
        assert unknown.errors[0].startswith("paperex: watch: Binance does not list ETHUSDT")


def binance_recording(path: Path) -> Path:
    header = RecordingHeader(
        venue="binance", symbols=["BTCUSDT"], streams=["trade"], started_at=1_700_000_000_000
    )
    with RecordingWriter(path, header) as writer:
        for trade_id, price in enumerate(("100.5", "101", "99.75"), start=1):
            payload = {"stream": "btcusdt@trade", "data": trade("BTCUSDT", trade_id, price, "2")}
            writer.write(RawMessage(1_700_000_000_000 + trade_id, json.dumps(payload).encode()))
    return path


async def test_a_replayed_recording_plays_to_its_end_then_summarises(tmp_path: Path) -> None:
    recording = binance_recording(tmp_path / "session.jsonl.gz")
    watch = await WatchProcess.start("BTCUSDT", "--replay", str(recording), "--trades")
    assert await watch.lines(3) == [
        "1700000000001  BTCUSDT  100.5  qty 2  buy",
        "1700000000002  BTCUSDT  101  qty 2  sell",
        "1700000000003  BTCUSDT  99.75  qty 2  buy",
    ]
    assert await watch.finish(interrupt=False) == 0
    assert watch.errors == ["3 updates  high 101  low 99.75  last 99.75"]


def test_colour_on_a_terminal() -> None:
    main, terminal = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "paperex.cli", "watch", "ETHUSDT", "--offline", "--trades"],
        stdout=terminal,
        stderr=subprocess.DEVNULL,
    )
    os.close(terminal)
    output = b""
    deadline = time.monotonic() + 20
    try:
        while GREEN.encode() not in output or RED.encode() not in output:
            assert time.monotonic() < deadline, output
            if select.select([main], [], [], 1)[0]:
                output += os.read(main, 4096)
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=20) == 0
        os.close(main)
