"""Fan-out of market events to WebSocket clients: Paperex's hub against the plain Channels design.

Both servers run under the same uvicorn (uvloop, httptools, websockets-sansio) on 127.0.0.1,
on the same Redis, with ``--workers`` processes each:

* **paperex**: ``paperex serve --no-feed``; the publisher sends each event once into the Redis
  market-data channel (``paperex.marketdata.bus``); every server process decodes it once, encodes
  one frame per topic and writes the same text to its subscribers' sockets.
* **channels**: ``bench/_fanout_baseline_app.py``: one ``AsyncJsonWebsocketConsumer`` per client
  in channel-layer groups (channels_redis), ``group_send`` per event, JSON encoded per client.

``--clients`` connections (over ``--client-processes`` processes of minimal asyncio clients)
each subscribe to 3 streams of one of ``--markets`` markets, so each event reaches
clients / markets subscribers. The publisher sends ``--rate`` events/s for ``--duration`` s, each
stamped with its send time in µs in ``event_time``; a client's latency is its receive time minus
that (same machine clock). Lost = events a client should have had but did not get, counted only
over clients that were not closed by the server. Prints a table and one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from decimal import Decimal
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from _limits import add_limits_option, limits_env
from _ws_client import (
    MAX_BUCKET,
    PAPEREX_STREAMS,
    LoadClient,
    StreamProtocol,
    Totals,
    open_clients,
    percentile,
)

STREAMS_PER_CLIENT = len(PAPEREX_STREAMS.streams)
HOST = "127.0.0.1"
BENCH_DIR = Path(__file__).parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


# --- client processes -----------------------------------------------------------------------


def client_process(
    control: Connection,
    port: int,
    protocol: StreamProtocol,
    symbols: Sequence[str],
    first: int,
    count: int,
) -> None:
    """Runs ``count`` clients (client numbers ``first``...); obeys commands from ``control``."""
    with contextlib.suppress(ImportError):
        import uvloop

        uvloop.install()
    asyncio.run(_clients(control, port, protocol, symbols, first, count))


async def _clients(
    control: Connection,
    port: int,
    protocol: StreamProtocol,
    symbols: Sequence[str],
    first: int,
    count: int,
) -> None:
    loop = asyncio.get_running_loop()
    totals = Totals()
    markets = [symbols[number % len(symbols)] for number in range(first, first + count)]
    try:
        clients = await open_clients(
            HOST, port, protocol, [protocol.requests(m) for m in markets], totals
        )
        deadline = time.monotonic() + 60
        while any(c.replies < len(protocol.streams) for c in clients):
            if time.monotonic() > deadline:
                raise TimeoutError("subscriptions not acknowledged within 60 s")
            await asyncio.sleep(0.05)
    except Exception as error:
        control.send(("error", f"{type(error).__name__}: {error}"))
        return
    control.send(("ready", len(clients)))
    cpu_at_start = time.process_time()
    while True:
        command = await loop.run_in_executor(None, control.recv)
        if command == "count":
            control.send(totals.delivered)
        elif command == "stop":
            report = _report(clients, markets, totals)
            report["cpu_seconds"] = time.process_time() - cpu_at_start
            control.send(report)
            for client in clients:
                client.close()
            return


def _report(clients: list[LoadClient], markets: list[str], totals: Totals) -> dict[str, Any]:
    return {
        "histogram": totals.histogram,
        "delivered": totals.delivered,
        "last_receive_us": totals.last_receive_us,
        "clients": [
            (market, c.delivered, c.close_code, c.lost)
            for market, c in zip(markets, clients, strict=True)
        ],
    }


# --- events ---------------------------------------------------------------------------------


def now_us() -> int:
    return time.time_ns() // 1000


def paperex_event(number: int, symbol: str, stream: str, sent_us: int) -> Any:
    from paperex.domain import Side
    from paperex.marketdata.events import Kline, MiniTicker, Ticker24h, Trade

    ms = sent_us // 1000
    common: dict[str, Any] = {
        "venue": "bench",
        "symbol": symbol,
        "event_time": sent_us,
        "received_at": ms,
    }
    price = Decimal("100.25")
    if stream == "trade":
        return Trade(
            **common,
            trade_id=number,
            price=price,
            quantity=Decimal("0.125"),
            trade_time=ms,
            aggressor=Side.BUY,
        )
    if stream == "miniTicker":
        return MiniTicker(
            **common,
            close=price,
            open=Decimal("98.75"),
            high=Decimal("101.5"),
            low=Decimal("98.5"),
            volume=Decimal("12345.5"),
            quote_volume=Decimal("1234567.89"),
        )
    if stream == "ticker":
        return Ticker24h(
            **common,
            price_change=Decimal("1.5"),
            price_change_percent=Decimal("1.52"),
            weighted_average_price=Decimal("99.87"),
            last_price=price,
            last_quantity=Decimal("0.125"),
            best_bid=Decimal("100.24"),
            best_bid_quantity=Decimal("3.5"),
            best_ask=Decimal("100.26"),
            best_ask_quantity=Decimal("1.25"),
            open=Decimal("98.75"),
            high=Decimal("101.5"),
            low=Decimal("98.5"),
            volume=Decimal("12345.5"),
            quote_volume=Decimal("1234567.89"),
            open_time=ms - 86_400_000,
            close_time=ms,
            trade_count=number,
        )
    return Kline(
        **common,
        interval="1m",
        open_time=ms - ms % 60_000,
        close_time=ms - ms % 60_000 + 59_999,
        open=Decimal("100"),
        high=Decimal("100.5"),
        low=Decimal("99.5"),
        close=price,
        volume=Decimal("42.5"),
        quote_volume=Decimal("4260.6"),
        trade_count=number,
        closed=False,
    )


def baseline_frame(event: Any) -> dict[str, Any]:
    """The same frame as Paperex's, as plain JSON types (numbers as strings) for json.dumps."""
    from paperex.apps.streams.fanout.formats import event_frame

    return {
        key: (str(value) if isinstance(value, Decimal) else value)
        for key, value in event_frame(event).items()
    }


Publish = Callable[[list[tuple[int, str, str]]], Awaitable[None]]


async def run_publisher(
    publish: Publish,
    symbols: Sequence[str],
    rate: float,
    duration: float,
    streams: Sequence[str] = PAPEREX_STREAMS.streams,
) -> tuple[list[int], float, int]:
    """Sends ``rate`` events/s for ``duration`` s through ``publish`` (a batch at a time), each
    of one of ``streams`` in turn; returns the events per market, the seconds it took and the
    µs time it started."""
    total = int(rate * duration)
    per_market = [0] * len(symbols)
    started_us = now_us()
    start = time.monotonic()
    sent = 0
    while sent < total:
        due = min(total, int((time.monotonic() - start) * rate) + 1)
        if due > sent:
            batch = []
            for number in range(sent, due):
                market = number % len(symbols)
                per_market[market] += 1
                stream = streams[number // len(symbols) % len(streams)]
                batch.append((number, symbols[market], stream))
            await publish(batch)
            sent = due
        await asyncio.sleep(0.002)
    return per_market, time.monotonic() - start, started_us


async def publish_paperex(
    redis_url: str,
    symbols: Sequence[str],
    rate: float,
    duration: float,
    streams: Sequence[str] = PAPEREX_STREAMS.streams,
) -> tuple[list[int], float, int]:
    import redis.asyncio as redis

    from paperex.marketdata.bus import encode_event, redis_channel

    client = redis.Redis.from_url(redis_url)
    channel = redis_channel(redis_url)

    async def publish(batch: list[tuple[int, str, str]]) -> None:
        pipe = client.pipeline(transaction=False)
        for number, symbol, stream in batch:
            pipe.publish(channel, encode_event(paperex_event(number, symbol, stream, now_us())))
        await pipe.execute()

    try:
        return await run_publisher(publish, symbols, rate, duration, streams)
    finally:
        await client.aclose()


async def publish_baseline(
    redis_url: str, symbols: Sequence[str], rate: float, duration: float
) -> tuple[list[int], float, int]:
    from channels_redis.core import RedisChannelLayer

    from _fanout_baseline_app import GROUP_PREFIX, group_name

    layer = RedisChannelLayer(hosts=[redis_url], prefix=GROUP_PREFIX)
    in_flight: set[asyncio.Task[None]] = set()

    async def publish(batch: list[tuple[int, str, str]]) -> None:
        for number, symbol, stream in batch:
            while len(in_flight) >= 50:  # group_send is slow: keep a bounded number going
                await asyncio.wait(in_flight, return_when=asyncio.FIRST_COMPLETED)
            message = {
                "type": "market.event",
                "frame": baseline_frame(paperex_event(number, symbol, stream, now_us())),
            }
            task = asyncio.create_task(layer.group_send(group_name(symbol, stream), message))
            in_flight.add(task)
            task.add_done_callback(in_flight.discard)

    try:
        result = await run_publisher(publish, symbols, rate, duration)
        if in_flight:
            await asyncio.wait(in_flight, timeout=30)
        return result
    finally:
        await layer.flush()
        await layer.close_pools()


# --- servers --------------------------------------------------------------------------------


def process_tree_cpu_seconds(root: int) -> float:
    """CPU seconds (user + system) of ``root`` and its descendants so far."""
    tick = os.sysconf("SC_CLK_TCK")
    stats: dict[int, tuple[int, float]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        stats[int(entry.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / tick)
    total, wanted = 0.0, {root}
    changed = True
    while changed:
        changed = False
        for pid, (parent, _) in stats.items():
            if parent in wanted and pid not in wanted:
                wanted.add(pid)
                changed = True
    for pid in wanted:
        total += stats.get(pid, (0, 0.0))[1]
    return total


def wait_for_port(port: int, process: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            socket.create_connection((HOST, port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"server did not listen within {seconds} s")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


def paperex_server(port: int, workers: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "paperex.cli"]
    for step in ("migrate", "seed"):
        subprocess.run([*command, step], env=env, check=True, capture_output=True, timeout=180)
    options = ["--host", HOST, "--port", str(port), "--no-feed", "--workers", str(workers)]
    return subprocess.Popen(
        [*command, "serve", *options, "--log-level", "warning"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=None,
        start_new_session=True,
    )


def baseline_server(port: int, workers: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "uvicorn", "_fanout_baseline_app:application"]
    options = ["--app-dir", str(BENCH_DIR), "--host", HOST, "--port", str(port)]
    options += ["--workers", str(workers), "--loop", "uvloop", "--http", "httptools"]
    options += ["--ws", "websockets-sansio", "--lifespan", "off", "--log-level", "warning"]
    return subprocess.Popen(
        [*command, *options],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=None,
        start_new_session=True,
    )


# --- one measurement ------------------------------------------------------------------------


def measure(
    name: str,
    server: subprocess.Popen[bytes],
    port: int,
    publish: Callable[[], Coroutine[Any, Any, tuple[list[int], float, int]]],
    options: argparse.Namespace,
    symbols: Sequence[str],
    protocol: StreamProtocol = PAPEREX_STREAMS,
) -> dict[str, Any]:
    context = multiprocessing.get_context("spawn")
    processes, controls = [], []
    try:
        wait_for_port(port, server)
        share = -(-options.clients // options.client_processes)
        for first in range(0, options.clients, share):
            parent_end, child_end = context.Pipe()
            count = min(share, options.clients - first)
            process = context.Process(
                target=client_process,
                args=(child_end, port, protocol, symbols, first, count),
                daemon=True,
            )
            process.start()
            processes.append(process)
            controls.append(parent_end)
        connected = 0
        for control in controls:
            if not control.poll(90):
                raise RuntimeError(f"{name}: clients did not get ready within 90 s")
            kind, value = control.recv()
            if kind != "ready":
                raise RuntimeError(f"{name}: clients failed: {value}")
            connected += value
        cpu_before = process_tree_cpu_seconds(server.pid)
        per_market, publish_seconds, started_us = asyncio.run(publish())
        expected_total = sum(per_market[i % len(symbols)] for i in range(options.clients))
        delivered = _drain(controls, expected_total, seconds=options.drain)
        cpu_seconds = process_tree_cpu_seconds(server.pid) - cpu_before
        reports = []
        for control in controls:
            control.send("stop")
            if not control.poll(30):
                raise RuntimeError(f"{name}: clients did not report within 30 s")
            reports.append(control.recv())
    finally:
        for process in processes:
            process.join(timeout=10)
            if process.is_alive():
                process.kill()
        stop_server(server)
    histogram = [0] * (MAX_BUCKET + 1)
    for report in reports:
        for bucket, count in enumerate(report["histogram"]):
            if count:
                histogram[bucket] += count
    per_symbol = dict(zip(symbols, per_market, strict=True))
    closed = [c for r in reports for c in r["clients"] if c[2] is not None or c[3]]
    kept_up = [c for r in reports for c in r["clients"] if c[2] is None and not c[3]]
    lost = sum(max(0, per_symbol[market] - got) for market, got, _, _ in kept_up)
    last_us = max(r["last_receive_us"] for r in reports)
    window = max(publish_seconds, (last_us - started_us) / 1e6) if last_us else publish_seconds
    return {
        "design": name,
        "clients": connected,
        "events_sent": sum(per_market),
        "events_per_second": round(sum(per_market) / publish_seconds),
        "expected": expected_total,
        "delivered": delivered,
        "delivered_per_second": round(delivered / window),
        "p50_ms": percentile(histogram, 0.50),
        "p99_ms": percentile(histogram, 0.99),
        "max_ms": percentile(histogram, 1.0),
        "lost": lost,
        "clients_closed": len(closed),
        "server_cpu_cores": round(cpu_seconds / window, 2),
        "client_cpu_cores": round(sum(r["cpu_seconds"] for r in reports) / window, 2),
    }


def _drain(controls: list[Connection], expected: int, *, seconds: float) -> int:
    """Waits until the clients have everything or stop receiving; returns what they got."""
    deadline = time.monotonic() + seconds
    previous, still = -1, 0
    while True:
        delivered = 0
        for control in controls:
            control.send("count")
            delivered += control.recv()
        if delivered >= expected or time.monotonic() > deadline:
            return delivered
        still = still + 1 if delivered == previous else 0
        if still >= 4:  # nothing new for a second
            return delivered
        previous = delivered
        time.sleep(0.25)


# --- main -----------------------------------------------------------------------------------


def fanout_env(data_dir: str, redis_url: str, limits: str) -> dict[str, str]:
    """The servers' environment: SQLite in ``data_dir`` (the fan-out reads no database), the
    market-data bus on ``redis_url``, no feed and no engine."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        PAPEREX_DATA_DIR=data_dir,
        REDIS_URL=redis_url,
        BENCH_REDIS_URL=redis_url,
        PAPEREX_RUN_FEEDS="false",
        # Every worker would start the matching engine, and only one may own the books; the
        # engine takes no part in the fan-out.
        PAPEREX_RUN_ENGINE="false",
        **limits_env(limits),
    )
    return env


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--markets", type=int, default=10)
    parser.add_argument("--rate", type=float, default=1000, help="events per second")
    parser.add_argument("--duration", type=float, default=30, help="seconds (Paperex)")
    parser.add_argument(
        "--baseline-duration",
        type=float,
        default=10,
        help="seconds for the baseline, which falls behind quickly (0: skip it)",
    )
    parser.add_argument("--workers", type=int, default=2, help="server processes")
    parser.add_argument("--client-processes", type=int, default=2)
    parser.add_argument("--drain", type=float, default=10, help="max seconds to wait at the end")
    parser.add_argument(
        "--redis-url", default=os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/14"
    )
    add_limits_option(parser)
    options = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="paperex-bench-fanout-") as data_dir:
        env = fanout_env(data_dir, options.redis_url, options.limits)
        symbols = seeded_symbols(env)[: options.markets]
        results = []
        port = free_port()
        results.append(
            measure(
                "paperex",
                paperex_server(port, options.workers, env),
                port,
                lambda: publish_paperex(options.redis_url, symbols, options.rate, options.duration),
                options,
                symbols,
            )
        )
        if options.baseline_duration > 0:
            port = free_port()
            duration = options.baseline_duration
            results.append(
                measure(
                    "channels",
                    baseline_server(port, options.workers, env),
                    port,
                    lambda: publish_baseline(options.redis_url, symbols, options.rate, duration),
                    options,
                    symbols,
                )
            )
    print_results(results, options, symbols)


def seeded_symbols(env: dict[str, str]) -> list[str]:
    """The markets ``paperex seed`` creates (crypto first), read without Django."""
    from paperex.apps.markets import seed

    return [seed.market_symbol(market) for market in seed.MARKETS]


def print_results(
    results: list[dict[str, Any]], options: argparse.Namespace, symbols: Sequence[str]
) -> None:
    columns = [
        ("design", "design", "{}"),
        ("clients", "clients", "{:,}"),
        ("events/s", "events_per_second", "{:,}"),
        ("delivered", "delivered", "{:,}"),
        ("msgs/s", "delivered_per_second", "{:,}"),
        ("p50 ms", "p50_ms", "{:.1f}"),
        ("p99 ms", "p99_ms", "{:.1f}"),
        ("lost", "lost", "{:,}"),
        ("closed", "clients_closed", "{:,}"),
        ("server cpu", "server_cpu_cores", "{:.2f}"),
        ("client cpu", "client_cpu_cores", "{:.2f}"),
    ]
    rows = [[title for title, _, _ in columns]]
    rows += [[fmt.format(r[key]) for _, key, fmt in columns] for r in results]
    widths = [max(len(row[i]) for row in rows) for i in range(len(columns))]
    per_event = options.clients // len(symbols)
    print(
        f"fan-out: {options.clients} clients x {STREAMS_PER_CLIENT} streams over {len(symbols)} "
        "markets "
        f"(~{per_event} subscribers per event), {options.rate:g} events/s, "
        f"{options.workers} server processes, {os.cpu_count()} cores"
    )
    for row in rows:
        print("  ".join(cell.rjust(width) for cell, width in zip(row, widths, strict=True)))
    summary: dict[str, Any] = {
        "bench": "fanout",
        "settings": {
            "clients": options.clients,
            "markets": len(symbols),
            "streams_per_client": STREAMS_PER_CLIENT,
            "rate": options.rate,
            "duration": options.duration,
            "baseline_duration": options.baseline_duration,
            "workers": options.workers,
            "cores": os.cpu_count(),
        },
        "results": results,
    }
    if len(results) == 2 and results[1]["delivered_per_second"]:
        ratio = results[0]["delivered_per_second"] / results[1]["delivered_per_second"]
        summary["ratio_delivered_per_second"] = round(ratio, 1)
        print(f"paperex / channels delivered msgs/s: {ratio:.1f}x")
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
