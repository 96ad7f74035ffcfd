"""End to end: ``paperex record --venue binance`` against the local fake venue, then
``paperex replay --speed max --print`` of the file it wrote (real processes, nothing online)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
from pathlib import Path

import pytest

from paperex.marketdata.recording import read_recording
from paperex.support.async_tasks import cancel_and_wait
from tests.marketdata.fakes.binance_rest import FakeBinanceRestServer
from tests.marketdata.fakes.binance_stream import FakeBinanceStreamServer
from tests.marketdata.fakes.binance_venue import FakeBinanceBook, trade
from tests.support.waiting import async_wait_until

pytestmark = pytest.mark.integration  # runs the paperex command three times


async def paperex(env: dict[str, str], *args: str, timeout: float = 60) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "paperex.cli",
        *args,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        out, err = await asyncio.wait_for(process.communicate(), timeout)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_record_binance_then_replay_the_file(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env |= {"PAPEREX_DATA_DIR": str(tmp_path / "data"), "PAPEREX_ENV": "development"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    code, _, err = await paperex(env, "migrate")
    assert code == 0, err
    output = tmp_path / "btc.jsonl.gz"
    async with FakeBinanceStreamServer() as stream, FakeBinanceRestServer() as rest:
        env |= {"PAPEREX_BINANCE_STREAM_URL": stream.url, "PAPEREX_BINANCE_REST_URL": rest.url}
        book = FakeBinanceBook("BTCUSDT", stream, rest, bids=[("100", "1")], asks=[("101", "1")])
        recorder = asyncio.create_task(
            paperex(
                env,
                *("record", "--venue", "binance", "--symbols", "BTCUSDT"),
                *("--streams", "trade,depth", "--duration", "2s", "-o", str(output)),
            )
        )
        try:
            await async_wait_until(
                lambda: bool(stream.open_connections) or recorder.done(), timeout=30
            )
            trade_id = 0
            while not recorder.done():
                trade_id += 1
                await book.change(bids=[(f"{99 + trade_id % 3}", str(trade_id))])
                await stream.publish("btcusdt@trade", trade("BTCUSDT", trade_id, "100.5", "0.1"))
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(asyncio.shield(recorder), 0.05)
            code, _, err = recorder.result()
        finally:
            await cancel_and_wait(recorder)
    assert code == 0, err
    header, messages = read_recording(output)
    assert (header.venue, header.symbols, header.streams) == (
        "binance",
        ["BTCUSDT"],
        ["trade", "depth"],
    )
    payloads = [m.payload for m in messages]
    assert any(
        p.startswith(b'{"stream":"btcusdt@depth1000","data":{"lastUpdateId"') for p in payloads
    )
    assert any(b'"e":"trade"' in p for p in payloads)

    code, out, err = await paperex(env, "replay", str(output), "--speed", "max", "--print")
    assert code == 0, err
    events = [json.loads(line) for line in out.splitlines()]
    kinds = {event["kind"] for event in events}
    assert {"trade", "book_snapshot", "book_delta"} <= kinds
    assert {event["symbol"] for event in events} == {"BTCUSDT"}
