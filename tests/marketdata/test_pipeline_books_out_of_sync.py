"""The pipeline sends a whole book only while it is in sync: never before the venue's snapshot
was applied, never after a gap in update ids until a new snapshot arrives."""

from __future__ import annotations

import asyncio

from paperex.marketdata.bus import LocalBus, Subscription
from paperex.marketdata.events import BookDelta, BookSnapshot, Event
from paperex.marketdata.local_book import BookSync
from paperex.marketdata.pipeline import FeedPipeline
from tests.support.market_events import T0, book, delta

EVERY_MS = 10_000


async def no_store(klines: object) -> None:
    """Closed candles are not what these tests look at."""


def published_books(subscription: Subscription) -> dict[str, BookSnapshot]:
    """The book snapshots published since last asked, by symbol (drains the subscription)."""
    books: dict[str, BookSnapshot] = {}
    while (event := subscription.get_nowait()) is not None:
        if isinstance(event, BookSnapshot):
            books[event.symbol] = event
    return books


async def test_a_book_out_of_sync_is_not_sent_whole_until_a_snapshot_brings_it_back() -> None:
    now = [T0]
    pipeline = FeedPipeline(
        LocalBus(),
        [],
        store_closed_candles=no_store,
        clock=lambda: now[0],
        book_snapshot_every_ms=EVERY_MS,
    )
    everything = pipeline.bus.subscribe()
    # ETHUSDT stays in sync throughout, so every tick below does send books.
    await pipeline.handle([book(5, symbol="ETHUSDT"), delta(6, 6, symbol="ETHUSDT")])
    # BTCUSDT: diffs buffered while no snapshot was applied yet.
    await pipeline.handle([delta(10, 11, asks=(("101", "1"),))])
    published_books(everything)

    await pipeline.tick()
    assert set(published_books(everything)) == {"ETHUSDT"}

    await pipeline.handle([book(11, bids=(("99", "1"),)), delta(12, 12, bids=(("99", "2"),))])
    published_books(everything)
    now[0] += EVERY_MS
    await pipeline.tick()
    in_sync = published_books(everything)
    assert set(in_sync) == {"ETHUSDT", "BTCUSDT"}
    assert in_sync["BTCUSDT"].last_update_id == 12

    await pipeline.handle([delta(14, 15, bids=(("98", "1"),))])  # 13 is missing: a gap
    assert not pipeline.books["BTCUSDT"].in_sync
    published_books(everything)
    now[0] += EVERY_MS
    await pipeline.tick()
    assert set(published_books(everything)) == {"ETHUSDT"}

    await pipeline.handle([book(15, bids=(("97", "4"),))])
    published_books(everything)
    now[0] += EVERY_MS
    await pipeline.tick()
    back = published_books(everything)["BTCUSDT"]
    assert (back.last_update_id, back.bids) == (15, [(97, 4)])


class YieldingBus(LocalBus):
    """A bus whose publish waits for the network the way Redis's does (other tasks run)."""

    async def publish(self, event: Event) -> None:
        await asyncio.sleep(0)
        self.deliver(event)


async def test_whole_books_and_deltas_reach_subscribers_in_order_while_both_are_sent() -> None:
    """The periodic whole book never overtakes a delta published before it, nor lags behind
    one: a subscriber keeping the book from them never sees a gap."""
    now = [T0]
    pipeline = FeedPipeline(
        YieldingBus(),
        [],
        store_closed_candles=no_store,
        clock=lambda: now[0],
        book_snapshot_every_ms=0,
    )
    subscriber = BookSync("BTCUSDT")
    received = pipeline.bus.subscribe(kinds=("book_delta", "book_snapshot"))
    await pipeline.handle([book(1)])

    async def ticking() -> None:
        for _ in range(200):
            await pipeline.tick()

    async def trading() -> None:
        for update in range(2, 402):
            await pipeline.handle([delta(update, update, bids=(("99", str(update)),))])

    await asyncio.gather(ticking(), trading())
    while (event := received.get_nowait()) is not None:
        if isinstance(event, BookSnapshot):
            subscriber.on_snapshot(event)
        elif isinstance(event, BookDelta):
            subscriber.on_delta(event)
    assert subscriber.resyncs == 0
    source = pipeline.books["BTCUSDT"]
    assert subscriber.last_update_id == source.last_update_id == 401
    assert subscriber.book.bids() == source.book.bids()
