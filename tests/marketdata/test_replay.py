from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paperex.marketdata.bus import LocalBus
from paperex.marketdata.events import Event
from paperex.marketdata.feed import FeedState, RawMessage, parser_for
from paperex.marketdata.pacing import Pacer, parse_speed
from paperex.marketdata.pipeline import FeedPipeline
from paperex.marketdata.recording import RecordingHeader, RecordingWriter, record
from paperex.marketdata.replay import PacingReport, ReplayFeed, in_receive_order, measure_pacing
from paperex.marketdata.synthetic import SyntheticFeed, SyntheticMarket, encode_event
from tests.marketdata.synthetic_fixtures import INSTRUMENTS, START_MS
from tests.support.recordings import replayed_events


class FakeTime:
    """A monotonic clock that moves only when slept on, oversleeping by ``overshoot``."""

    def __init__(self, overshoot: float = 0.0) -> None:
        self.now = 1_000.0
        self.overshoot = overshoot
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds + (self.overshoot if seconds > 0 else 0.0)


def write_recording(path: Path, received_times: list[int], venue: str = "synthetic") -> None:
    market = SyntheticMarket(INSTRUMENTS, seed=1, start_ms=START_MS)
    events: list[Event] = list(market.opening_events())
    while len(events) < len(received_times):
        events.extend(market.step())
    header = RecordingHeader(venue=venue, started_at=START_MS)
    with RecordingWriter(path, header) as writer:
        for received_at, event in zip(received_times, events, strict=False):
            writer.write(RawMessage(received_at, encode_event(event)))


async def test_record_then_replay_gives_the_same_events_in_the_same_order(tmp_path: Path) -> None:
    path = tmp_path / "round-trip.jsonl.gz"

    def feed() -> SyntheticFeed:
        return SyntheticFeed(INSTRUMENTS, seed=21, speed=None, start_ms=START_MS)

    await record(feed(), path, max_messages=3_000)

    expected: list[RawMessage] = []
    async for message in feed().raw_messages():
        expected.append(message)
        if len(expected) == 3_000:
            break
    parse = parser_for("synthetic")
    expected_events = [event for message in expected for event in parse(message)]

    assert await replayed_events(path) == expected_events
    assert len(expected_events) == 3_000


async def test_speed_max_does_not_wait(tmp_path: Path) -> None:
    path = tmp_path / "an-hour.jsonl.gz"
    write_recording(path, [START_MS + i * 1_000 for i in range(3_600)])  # one per second
    fake = FakeTime()
    started = time.monotonic()
    played = [m async for m in ReplayFeed(path, speed=None, sleep=fake.sleep).raw_messages()]
    assert len(played) == 3_600
    assert all(seconds == 0 for seconds in fake.sleeps)  # only yields to the event loop
    assert time.monotonic() - started < 5


async def test_pacing_follows_the_recorded_gaps_scaled_by_speed_without_drift(
    tmp_path: Path,
) -> None:
    path = tmp_path / "gaps.jsonl.gz"
    received = [START_MS + gap for gap in (0, 0, 100, 150, 1_150, 1_160, 3_000, 3_001)]
    write_recording(path, received)
    fake = FakeTime(overshoot=0.004)  # every sleep wakes 4 ms late
    feed = ReplayFeed(path, speed=10.0, monotonic=fake.monotonic, sleep=fake.sleep)
    start = fake.now
    handed_out: list[tuple[int, float]] = []
    async for batch in feed.batches():
        handed_out.extend((message.received_at, fake.now) for message in batch)
    assert [received_at for received_at, _ in handed_out] == received
    for received_at, at in handed_out:
        scheduled = start + (received_at - START_MS) / 1000 / 10
        assert scheduled <= at <= scheduled + 0.0041  # late by one oversleep at most, never more
    assert feed.status.state is FeedState.STOPPED


async def test_loop_starts_over_on_a_continuing_timeline(tmp_path: Path) -> None:
    path = tmp_path / "loop.jsonl.gz"
    write_recording(path, [START_MS, START_MS + 100, START_MS + 200])
    fake = FakeTime()
    feed = ReplayFeed(path, speed=1.0, loop=True, monotonic=fake.monotonic, sleep=fake.sleep)
    start = fake.now
    times: list[float] = []
    async for _ in feed.raw_messages():
        times.append(round(fake.now - start, 6))
        if len(times) == 7:
            await feed.close()
    assert times == [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6]
    assert feed.loops_completed == 2


async def test_one_x_replay_keeps_real_time_within_a_small_bound(tmp_path: Path) -> None:
    path = tmp_path / "real-time.jsonl.gz"
    received = [START_MS + i * 3 for i in range(100)]  # 297 ms of messages
    write_recording(path, received)
    started = time.monotonic()
    report = await measure_pacing(path, speed=1.0)
    elapsed = time.monotonic() - started
    assert report.messages == 100
    assert 0.29 <= elapsed < 0.6
    assert report.p50_ms < 5
    assert report.max_ms < 50  # generous: a loaded CI machine, not a benchmark


def test_messages_are_put_in_receive_order_within_the_window() -> None:
    def at(*times: int) -> list[RawMessage]:
        return [RawMessage(t, str(t).encode()) for t in times]

    batches = [at(10, 30, 20), at(25, 40, 1_000), at(1_500, 35, 2_600)]
    ordered = [m.received_at for batch in in_receive_order(batches, 100) for m in batch]
    assert ordered == [10, 20, 25, 30, 40, 35, 1_000, 1_500, 2_600]  # 40 had gone: 35 is late


async def test_a_replay_in_the_pipeline_counts_malformed_messages_and_goes_on(
    tmp_path: Path,
) -> None:
    path = tmp_path / "bad.jsonl.gz"
    header = RecordingHeader(venue="synthetic", started_at=START_MS)
    market = SyntheticMarket(INSTRUMENTS, seed=1, start_ms=START_MS)
    good = market.opening_events()
    with RecordingWriter(path, header) as writer:
        writer.write(RawMessage(1, encode_event(good[0])))
        writer.write(RawMessage(2, b'{"kind":"nonsense"}'))
        writer.write(RawMessage(3, encode_event(good[1])))
    feed = ReplayFeed(path, speed=None)
    pipeline = FeedPipeline(LocalBus(), [feed], store_closed_candles=_ignore, tick_seconds=60)
    await pipeline.start()
    try:
        await asyncio.wait_for(pipeline.wait_until_feeds_end(), 5)
    finally:
        await pipeline.stop()
    assert (feed.messages_played, pipeline.events_published, pipeline.parse_errors) == (3, 2, 1)


async def _ignore(klines: object) -> None:
    return None


def test_parser_for_imports_the_venue_package_and_names_unknown_venues() -> None:
    check = (
        "import sys; from paperex.marketdata.feed import parser_for;"
        "assert 'paperex.marketdata.synthetic' not in sys.modules;"
        "parse = parser_for('synthetic');"
        "from paperex.marketdata.synthetic import parse_message;"
        "assert parse is parse_message"
    )
    subprocess.run([sys.executable, "-c", check], check=True, timeout=60)
    with pytest.raises(KeyError, match="no parser for venue 'nowhere'"):
        parser_for("nowhere")


@pytest.mark.parametrize(
    ("text", "speed"), [("1", 1.0), ("10", 10.0), ("10x", 10.0), ("0.5", 0.5), ("max", None)]
)
def test_speed_is_parsed_from_the_command_line(text: str, speed: float | None) -> None:
    assert parse_speed(text) == speed


@pytest.mark.parametrize("text", ["0", "-1", "fast", "inf", "nan"])
def test_bad_speeds_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="positive number or 'max'"):
        parse_speed(text)
    with pytest.raises(ValueError, match="positive"):
        Pacer(-1.0)


def test_pacing_report_percentiles() -> None:
    report = PacingReport.from_lateness([i / 1000 for i in range(101)])
    assert (report.messages, report.p50_ms, report.p99_ms, report.max_ms) == (101, 50, 99, 100)


@given(
    st.lists(st.integers(min_value=0, max_value=50), min_size=1, max_size=200),
    st.lists(st.integers(min_value=1, max_value=30), min_size=1, max_size=20),
)
def test_disorder_within_the_window_comes_out_sorted(jitters: list[int], cuts: list[int]) -> None:
    times = [i * 10 + jitter for i, jitter in enumerate(jitters)]  # at most 50 ms out of order
    messages = [RawMessage(t, str(index).encode()) for index, t in enumerate(times)]
    batches, start = [], 0
    for size in cuts * (len(messages) // sum(cuts) + 1):
        batches.append(messages[start : start + size])
        start += size
    ordered = [m for batch in in_receive_order(batches, window_ms=60) for m in batch]
    assert sorted(ordered, key=lambda m: m.payload) == sorted(messages, key=lambda m: m.payload)
    assert [m.received_at for m in ordered] == sorted(times)
