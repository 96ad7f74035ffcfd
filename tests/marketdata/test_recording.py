from __future__ import annotations

import asyncio
import gzip
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import msgspec
import pytest

from paperex.marketdata.feed import RawMessage
from paperex.marketdata.recording import (
    FORMAT_VERSION,
    RecordingError,
    RecordingHeader,
    RecordingReader,
    RecordingWriter,
    RecordProgress,
    read_recording,
    record,
)
from paperex.marketdata.synthetic import SyntheticFeed
from tests.marketdata.synthetic_fixtures import INSTRUMENTS, START_MS
from tests.support.waiting import async_wait_until, wait_until

HEADER = RecordingHeader(venue="binance", symbols=["BTCUSDT"], streams=["trade"], started_at=1)


def messages(count: int, start: int = START_MS) -> list[RawMessage]:
    return [RawMessage(start + i, f'{{"n":{i},"text":"é\\"x"}}'.encode()) for i in range(count)]


def test_written_messages_read_back_with_the_header(tmp_path: Path) -> None:
    path = tmp_path / "session.jsonl.gz"
    with RecordingWriter(path, HEADER) as writer:
        writer.write_many(messages(2_000))
    header, read = read_recording(path)
    assert header == HEADER
    assert header.format_version == FORMAT_VERSION
    assert read == messages(2_000)

    with gzip.open(path, "rt", encoding="utf-8") as text:  # plain gzip JSON lines
        first, second = next(text), next(text)
    assert msgspec.json.decode(first)["venue"] == "binance"
    assert msgspec.json.decode(second) == {
        "received_at": START_MS,
        "payload": '{"n":0,"text":"é\\"x"}',
    }


def test_a_file_cut_anywhere_reads_up_to_its_last_complete_message(tmp_path: Path) -> None:
    path = tmp_path / "whole.jsonl.gz"
    with RecordingWriter(path, HEADER, flush_interval=0.0) as writer:  # a sync point per write
        writer.write_many(messages(300))
    data = path.read_bytes()
    previous = -1
    for cut in range(len(data) // 4, len(data) - 8, max(1, len(data) // 40)):
        torn = tmp_path / "torn.jsonl.gz"
        torn.write_bytes(data[:cut])
        reader = RecordingReader(torn)
        read = list(reader)
        assert read == messages(300)[: len(read)]  # a prefix, every message complete
        assert reader.truncated
        assert len(read) >= previous
        previous = len(read)
    assert previous > 250


def test_an_unflushed_writer_leaves_everything_up_to_its_last_flush(tmp_path: Path) -> None:
    path = tmp_path / "live.jsonl.gz"
    writer = RecordingWriter(path, HEADER, flush_interval=3_600)
    writer.write_many(messages(100))
    writer.flush()
    writer.write_many(messages(50, start=START_MS + 100))  # still in memory when "killed"
    reader = RecordingReader(path)
    assert list(reader) == messages(100)
    assert reader.truncated
    writer.close()
    assert len(read_recording(path)[1]) == 150


def test_a_killed_recorder_process_leaves_a_readable_file(tmp_path: Path) -> None:
    path = tmp_path / "killed.jsonl.gz"
    script = f"""
import asyncio, sys
sys.path.insert(0, {str(Path(__file__).parents[2])!r})
from paperex.marketdata.recording import record
from paperex.marketdata.synthetic import SyntheticFeed
from tests.marketdata.synthetic_fixtures import INSTRUMENTS
feed = SyntheticFeed(INSTRUMENTS, seed=1, settings=None, speed=20.0)
asyncio.run(record(feed, {str(path)!r}, flush_interval=0.05))
"""
    process = subprocess.Popen([sys.executable, "-c", script])

    def wrote_enough() -> bool:
        assert process.poll() is None, "the recorder died on its own"
        return path.exists() and path.stat().st_size > 20_000

    try:
        wait_until(wrote_enough, timeout=30, what="20 kB of recording")
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
    reader = RecordingReader(path)
    read = list(reader)
    assert reader.header.venue == "synthetic"
    assert len(read) > 100
    assert reader.truncated  # no gzip trailer: it was killed mid-stream
    assert all(message.payload.startswith(b"{") for message in read)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", "no complete header"),
        (b'{"format":"other","venue":"x","started_at":1}\n', "not a paperex-recording"),
        (b"not json\n", "bad header"),
        (
            b'{"format":"paperex-recording","format_version":99,"venue":"x","started_at":1}\n',
            "newer",
        ),
    ],
)
def test_a_file_that_is_not_a_recording_is_refused(
    tmp_path: Path, content: bytes, problem: str
) -> None:
    path = tmp_path / "bad.jsonl.gz"
    path.write_bytes(gzip.compress(content))
    with pytest.raises(RecordingError, match=problem):
        RecordingReader(path)


async def test_record_writes_the_feed_with_a_header_and_reports_progress(tmp_path: Path) -> None:
    path = tmp_path / "synthetic.jsonl.gz"
    feed = SyntheticFeed(INSTRUMENTS, seed=4, speed=None, start_ms=START_MS)
    reports: list[RecordProgress] = []
    final = await record(feed, path, max_messages=1_500, on_progress=reports.append)
    assert final.messages == 1_500
    assert reports[-1] == final
    assert final.bytes_written == path.stat().st_size
    header, read = read_recording(path)
    assert (header.venue, header.symbols) == ("synthetic", [i.symbol for i in INSTRUMENTS])
    assert "btcusdt@depth" in header.streams
    assert header.started_at > START_MS
    assert len(read) == 1_500


async def test_record_stops_after_its_duration_and_reports_live(tmp_path: Path) -> None:
    path = tmp_path / "timed.jsonl.gz"
    feed = SyntheticFeed(INSTRUMENTS, seed=4, speed=1.0)
    reports: list[RecordProgress] = []
    started = time.monotonic()
    final = await record(
        feed, path, duration=0.5, on_progress=reports.append, progress_interval=0.1
    )
    assert 0.45 < time.monotonic() - started < 2.0
    assert len(reports) >= 3  # periodic reports, then the final one
    assert reports[-1].elapsed_seconds >= 0.5
    assert final.messages == len(read_recording(path)[1]) > 0


async def test_cancelling_record_leaves_a_complete_file(tmp_path: Path) -> None:
    path = tmp_path / "cancelled.jsonl.gz"
    feed = SyntheticFeed(INSTRUMENTS, seed=4, speed=5.0)
    task = asyncio.create_task(record(feed, path))
    await async_wait_until(
        lambda: path.exists() and len(read_recording(path)[1]) >= 20,
        timeout=10,
        what="20 recorded messages",
        interval=0.02,
    )
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    reader = RecordingReader(path)
    assert len(list(reader)) >= 20
    assert not reader.truncated
