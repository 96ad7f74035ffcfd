"""The Binance feed: streams plus REST depth snapshots, against the local fake venue."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal
from pathlib import Path

import pytest

from paperex.marketdata.binance.feed import BinanceFeed, snapshot_frame, stream_names
from paperex.marketdata.binance.parse import parse_message
from paperex.marketdata.events import BookSnapshot
from paperex.marketdata.feed import RawMessage, feed_parser
from paperex.marketdata.live_view import LiveMarketView
from paperex.marketdata.recording import RecordingHeader, RecordingWriter
from paperex.support.backoff import BackoffPolicy
from tests.marketdata.fakes.binance_rest import FakeBinanceRestServer
from tests.marketdata.fakes.binance_stream import FakeBinanceStreamServer
from tests.marketdata.fakes.binance_venue import FakeBinanceBook, trade
from tests.support.recordings import replayed_events
from tests.support.waiting import async_wait_until

FAST_RETRY = BackoffPolicy(initial_delay=0.01, maximum_delay=0.02)
Venues = tuple[FakeBinanceStreamServer, FakeBinanceRestServer]
DIFF_STREAM = "btcusdt@depth@100ms"


def depth_update(
    first: int, final: int, bids: list[list[str]], asks: list[list[str]]
) -> dict[str, object]:
    return {
        "e": "depthUpdate",
        "E": 1_700_000_000_000 + final,
        "s": "BTCUSDT",
        "U": first,
        "u": final,
        "b": bids,
        "a": asks,
    }


def depth_snapshot(
    last_update_id: int, bids: list[list[str]], asks: list[list[str]]
) -> dict[str, object]:
    return {"lastUpdateId": last_update_id, "bids": bids, "asks": asks}


def levels(*pairs: tuple[str, str]) -> list[tuple[Decimal, Decimal]]:
    return [(Decimal(price), Decimal(quantity)) for price, quantity in pairs]


@pytest.fixture
async def venues() -> AsyncIterator[Venues]:
    async with FakeBinanceStreamServer() as stream, FakeBinanceRestServer() as rest:
        yield stream, rest


class Consumer:
    """What a server does with a feed: parse every message and keep a LiveMarketView."""

    def __init__(self, feed: BinanceFeed) -> None:
        self.feed = feed
        self.messages: list[RawMessage] = []
        self.state = LiveMarketView()
        self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        parse = feed_parser(self.feed)
        async for message in self.feed.raw_messages():
            self.messages.append(message)
            for event in parse(message):
                self.state.apply(event)

    def snapshots(self) -> list[RawMessage]:
        return [m for m in self.messages if m.payload.startswith(b'{"stream":"btcusdt@depth1000"')]

    async def close(self) -> None:
        await self.feed.close()
        await asyncio.wait_for(self._task, 5)


@asynccontextmanager
async def consuming(
    feed: BinanceFeed, stream_venue: FakeBinanceStreamServer
) -> AsyncIterator[Consumer]:
    """A consumer of ``feed`` once the feed has connected to the venue; closed afterwards."""
    consumer = Consumer(feed)
    try:
        await async_wait_until(lambda: len(stream_venue.open_connections) == 1, what="a connection")
        yield consumer
    finally:
        await consumer.close()


def depth_feed(
    stream_venue: FakeBinanceStreamServer, rest_venue: FakeBinanceRestServer
) -> BinanceFeed:
    """A feed of BTCUSDT's depth stream that retries a failed snapshot at once."""
    return BinanceFeed(
        ["BTCUSDT"],
        ["depth"],
        stream_url=stream_venue.url,
        rest_url=rest_venue.url,
        snapshot_retry=FAST_RETRY,
    )


def test_short_stream_names_become_venue_streams() -> None:
    assert stream_names(["BTCUSDT"], ["trade", "depth", "kline_1m", "miniTicker"]) == [
        "btcusdt@trade",
        "btcusdt@depth@100ms",
        "btcusdt@kline_1m",
        "btcusdt@miniTicker",
    ]
    with pytest.raises(ValueError, match="not one of"):
        stream_names(["BTCUSDT"], ["kline_7m"])
    with pytest.raises(ValueError, match="not one of"):
        stream_names(["BTCUSDT"], ["bookTicker"])


def test_a_wrapped_rest_snapshot_parses_like_a_partial_depth_frame() -> None:
    body = b'{"lastUpdateId":1027024,"bids":[["4.00000000","431.00000000"]],"asks":[]}\n'
    message = RawMessage(received_at=5, payload=snapshot_frame("BTCUSDT", 1000, body))
    assert message.payload.startswith(b'{"stream":"btcusdt@depth1000","data":{"lastUpdateId"')
    [snapshot] = parse_message(message)
    assert isinstance(snapshot, BookSnapshot)
    assert (snapshot.symbol, snapshot.last_update_id) == ("BTCUSDT", 1027024)
    assert snapshot.bids == [(Decimal("4.00000000"), Decimal("431.00000000"))]


async def test_snapshot_then_diffs_then_a_fresh_snapshot_after_a_gap_keep_consumers_exact(
    venues: Venues, tmp_path: Path
) -> None:
    stream_venue, rest_venue = venues
    book = FakeBinanceBook(
        "BTCUSDT",
        stream_venue,
        rest_venue,
        bids=[("100.00", "1.5"), ("99.50", "2")],
        asks=[("100.50", "1"), ("101.00", "3")],
    )
    feed = BinanceFeed(
        ["BTCUSDT"],
        stream_url=stream_venue.url,
        rest_url=rest_venue.url,
        snapshot_retry=FAST_RETRY,
    )
    assert feed.streams == ["btcusdt@trade", "btcusdt@depth@100ms"]
    async with consuming(feed, stream_venue) as consumer:
        await book.change(bids=[("100.00", "2.5")])
        await async_wait_until(lambda: feed.snapshots_fetched == 1, what="the first snapshot")
        await book.change(asks=[("100.50", "0"), ("100.75", "4")], ids=3)
        await stream_venue.publish("btcusdt@trade", trade("BTCUSDT", 7, "100.75", "0.5"))
        await book.change(bids=[("99.75", "1")])
        state = consumer.state.of("BTCUSDT")
        await async_wait_until(
            lambda: state.book.last_update_id == book.last_update_id, what="sync"
        )
        assert (state.book.book.bids(), state.book.book.asks()) == book.levels()
        assert state.last_price == Decimal("100.75")
        first_snapshot = consumer.messages.index(consumer.snapshots()[0])
        later = [m.payload for m in consumer.messages[first_snapshot + 1 :]]
        assert any(b"depthUpdate" in payload for payload in later)

        await book.change(bids=[("98.00", "7")], lost=True)  # the venue moves, the diff is lost
        await book.change(asks=[("102.00", "1")])
        await async_wait_until(lambda: feed.snapshots_fetched == 2, what="a snapshot after the gap")
        await book.change(bids=[("100.00", "0")])
        await async_wait_until(
            lambda: state.book.last_update_id == book.last_update_id, what="resync"
        )
        assert (state.book.book.bids(), state.book.book.asks()) == book.levels()
        assert state.book.resyncs == feed.books["BTCUSDT"].resyncs == 1
        assert len(consumer.snapshots()) == 2

    # The recorded messages replay into the same book: the snapshots travel with the diffs.
    path = tmp_path / "binance.jsonl.gz"
    header = RecordingHeader(
        venue="binance", symbols=feed.symbols, streams=feed.streams, started_at=1
    )
    with RecordingWriter(path, header) as writer:
        writer.write_many(consumer.messages)
    replayed = LiveMarketView()
    for event in await replayed_events(path):
        replayed.apply(event)
    assert replayed.of("BTCUSDT").book.book.bids() == book.levels()[0]
    assert replayed.of("BTCUSDT").book.book.asks() == book.levels()[1]


async def test_hand_written_diffs_around_two_snapshots_give_the_exact_book(venues: Venues) -> None:
    stream_venue, rest_venue = venues
    rest_venue.depth_snapshots["BTCUSDT"] = [
        depth_snapshot(100, [["99.00", "1.0"], ["98.00", "2.0"]], [["101.00", "1.0"]]),
        depth_snapshot(205, [["90.00", "3.0"]], [["110.00", "4.0"], ["111.00", "1.0"]]),
    ]
    feed = depth_feed(stream_venue, rest_venue)
    async with consuming(feed, stream_venue) as consumer:
        await stream_venue.publish(DIFF_STREAM, depth_update(95, 99, [["1.00", "1"]], []))
        await stream_venue.publish(DIFF_STREAM, depth_update(100, 102, [["99.00", "4.0"]], []))
        await stream_venue.publish(
            DIFF_STREAM, depth_update(103, 105, [["98.00", "0"]], [["102.00", "2"]])
        )
        state = consumer.state.of("BTCUSDT")
        await async_wait_until(lambda: state.book.last_update_id == 105, what="the first sync")
        assert state.book.book.bids() == levels(("99.00", "4.0"))
        assert state.book.book.asks() == levels(("101.00", "1.0"), ("102.00", "2"))

        gap = depth_update(110, 112, [["97.00", "1"]], [])  # 106..109 never arrive
        await stream_venue.publish(DIFF_STREAM, gap)
        await stream_venue.publish(
            DIFF_STREAM, depth_update(205, 207, [["90.00", "0"], ["91.00", "1"]], [])
        )
        await async_wait_until(lambda: state.book.last_update_id == 207, what="the resync")
        assert state.book.resyncs == 1
        assert feed.snapshots_fetched == 2
        assert state.book.book.bids() == levels(("91.00", "1"))
        assert state.book.book.asks() == levels(("110.00", "4.0"), ("111.00", "1.0"))
        depth_requests = [query for path, query in rest_venue.requests if path == "/api/v3/depth"]
        assert depth_requests == [{"symbol": "BTCUSDT", "limit": "1000"}] * 2


async def test_a_failing_snapshot_is_retried_and_reported(venues: Venues) -> None:
    stream_venue, rest_venue = venues
    book = FakeBinanceBook("BTCUSDT", stream_venue, rest_venue, bids=[("10", "1")])
    rest_venue.failures_before_depth = 2
    delays: list[float] = []

    async def recorded_sleep(seconds: float) -> None:
        delays.append(seconds)
        await asyncio.sleep(0)

    feed = BinanceFeed(
        ["BTCUSDT"],
        ["depth"],
        stream_url=stream_venue.url,
        rest_url=rest_venue.url,
        snapshot_retry=FAST_RETRY,
        random_fraction=lambda: 0.5,
        sleep=recorded_sleep,
    )
    async with consuming(feed, stream_venue) as consumer:
        await book.change(asks=[("11", "2")])
        await async_wait_until(lambda: feed.snapshots_fetched == 1, what="a snapshot at last")
        await async_wait_until(lambda: feed.books["BTCUSDT"].in_sync, what="in sync")
        assert feed.status.last_error is not None
        assert "depth snapshot of BTCUSDT" in feed.status.last_error
        assert "-1001" in feed.status.last_error
        assert feed.snapshots_fetched == 1
        depth_requests = [path for path, _ in rest_venue.requests if path == "/api/v3/depth"]
        assert len(depth_requests) == 3
        assert delays == [FAST_RETRY.delay(0, 0.5), FAST_RETRY.delay(1, 0.5)] == [0.0075, 0.015]
        state = consumer.state.of("BTCUSDT")
        await async_wait_until(lambda: state.book.in_sync, what="the consumer in sync")
        assert (state.book.book.bids(), state.book.book.asks()) == book.levels()


async def test_a_snapshot_older_than_the_buffered_diffs_is_fetched_again(venues: Venues) -> None:
    stream_venue, rest_venue = venues
    rest_venue.depth_snapshots["BTCUSDT"] = [
        depth_snapshot(100, [["1.00", "1"]], []),
        depth_snapshot(160, [["5.00", "1"]], [["6.00", "1"]]),
    ]
    feed = depth_feed(stream_venue, rest_venue)
    async with consuming(feed, stream_venue) as consumer:
        await stream_venue.publish(DIFF_STREAM, depth_update(150, 155, [["4.00", "1"]], []))
        await stream_venue.publish(DIFF_STREAM, depth_update(156, 160, [["4.50", "1"]], []))
        await async_wait_until(lambda: feed.snapshots_fetched == 2, what="a second snapshot")
        await stream_venue.publish(DIFF_STREAM, depth_update(161, 163, [["5.00", "2"]], []))
        state = consumer.state.of("BTCUSDT")
        await async_wait_until(lambda: state.book.last_update_id == 163, what="sync")
        assert state.book.book.bids() == [(Decimal("5.00"), Decimal("2"))]
        assert feed.books["BTCUSDT"].last_update_id == 163
        assert "older than the buffered diffs" in (feed.status.last_error or "")


async def test_symbol_map_renames_events_and_close_ends_the_messages(venues: Venues) -> None:
    stream_venue, rest_venue = venues
    feed = BinanceFeed(
        ["BTCUSDT"],
        ["trade"],
        symbol_map={"BTCUSDT": "XBTUSDT"},
        stream_url=stream_venue.url,
        rest_url=rest_venue.url,
    )
    assert feed.symbols == ["XBTUSDT"]
    async with consuming(feed, stream_venue) as consumer:
        await stream_venue.publish("btcusdt@trade", trade("BTCUSDT", 1, "5.5", "1"))
        await async_wait_until(lambda: "XBTUSDT" in consumer.state.symbols, what="a renamed trade")
        assert "BTCUSDT" not in consumer.state.symbols
        assert b'"s":"BTCUSDT"' in consumer.messages[0].payload  # raw stays the venue's
    assert feed.status.state.value == "stopped"
    assert rest_venue.requests == []  # no depth stream: no snapshot
