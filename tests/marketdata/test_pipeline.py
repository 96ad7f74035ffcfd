from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from decimal import Decimal

from paperex.marketdata.bus import BusUnavailableError, LocalBus, Subscription
from paperex.marketdata.events import BookSnapshot, Event, Kline, Ticker24h, Trade
from paperex.marketdata.feed import FeedStatus, RawMessage
from paperex.marketdata.pipeline import FeedPipeline
from paperex.marketdata.synthetic import encode_event
from paperex.marketdata.synthetic.history import candles_by_interval, synthetic_history
from paperex.support.backoff import BackoffPolicy
from paperex.support.supervision import Outage
from tests.marketdata.synthetic_fixtures import INSTRUMENTS
from tests.support.market_events import T0, book, delta, trade

MINUTE = 60_000


class Stored:
    def __init__(self) -> None:
        self.klines: list[Kline] = []

    async def __call__(self, klines: list[Kline]) -> None:
        self.klines += klines


def drain(subscription: Subscription) -> list[Event]:
    events: list[Event] = []
    while (event := subscription.get_nowait()) is not None:
        events.append(event)
    return events


def make_pipeline(now: list[int]) -> tuple[FeedPipeline, Stored]:
    stored = Stored()
    pipeline = FeedPipeline(
        LocalBus(), [], store_closed_candles=stored, clock=lambda: now[0], candle_update_every_ms=0
    )
    return pipeline, stored


async def test_trades_become_candles_tickers_and_stored_bars() -> None:
    now = [T0]
    pipeline, stored = make_pipeline(now)
    everything = pipeline.bus.subscribe()
    await pipeline.handle([trade("100", "1", T0 + 1_000), trade("102", "2", T0 + 2_000)])
    await pipeline.handle([trade("101", "1", T0 + MINUTE + 5)])
    published = drain(everything)
    assert [type(e).__name__ for e in published].count("Trade") == 3
    closed_1m = [e for e in published if isinstance(e, Kline) and e.closed and e.interval == "1m"]
    assert len(closed_1m) == 1
    assert (closed_1m[0].open, closed_1m[0].high, closed_1m[0].close) == (
        Decimal(100),
        Decimal(102),
        Decimal(102),
    )
    assert closed_1m[0].volume == Decimal(3)

    now[0] = T0 + 2 * MINUTE
    await pipeline.tick()
    stored_1m = [k for k in stored.klines if k.interval == "1m"]
    assert [k.open_time for k in stored_1m] == [T0, T0 + MINUTE]
    tickers = [e for e in drain(everything) if isinstance(e, Ticker24h)]
    assert tickers[-1].last_price == Decimal(101)
    assert tickers[-1].volume == Decimal(4)


async def test_tickers_carry_the_best_bid_and_ask_of_the_book() -> None:
    now = [T0 + 10_000]
    pipeline, _ = make_pipeline(now)
    subscription = pipeline.bus.subscribe(kinds={"ticker"})
    book = BookSnapshot(
        venue="test",
        symbol="BTCUSDT",
        event_time=T0,
        received_at=T0,
        last_update_id=1,
        bids=[(Decimal("99.5"), Decimal(2))],
        asks=[(Decimal("100.5"), Decimal(3))],
    )
    await pipeline.handle([book, trade("100", "1", T0 + 1_000)])
    await pipeline.tick()
    ticker = subscription.get_nowait()
    assert isinstance(ticker, Ticker24h)
    assert (ticker.best_bid, ticker.best_bid_quantity) == (Decimal("99.5"), Decimal(2))
    assert (ticker.best_ask, ticker.best_ask_quantity) == (Decimal("100.5"), Decimal(3))


async def test_a_replay_that_starts_over_is_aggregated_again() -> None:
    now = [T0]
    pipeline, _ = make_pipeline(now)
    updates = pipeline.bus.subscribe(kinds={"kline"})
    await pipeline.handle([trade("100", "1", T0 + 5 * MINUTE)])
    await pipeline.handle([trade("90", "1", T0)])  # the loop's second pass
    klines = [e for e in drain(updates) if isinstance(e, Kline) and e.interval == "1m"]
    assert klines[-1].open_time == T0
    assert klines[-1].close == Decimal(90)
    assert pipeline.candles.late_trades == 0


class ListFeed:
    venue = "synthetic"

    def __init__(self, messages: Sequence[RawMessage]) -> None:
        self.messages = list(messages)
        self.status = FeedStatus()

    async def raw_messages(self) -> AsyncIterator[RawMessage]:
        for message in self.messages:
            yield message

    async def subscribe(self, streams: Sequence[str]) -> None: ...

    async def unsubscribe(self, streams: Sequence[str]) -> None: ...

    async def close(self) -> None: ...


async def test_malformed_messages_are_counted_and_skipped() -> None:
    good = RawMessage(received_at=T0, payload=encode_event(trade("100", "1", T0)))
    feed = ListFeed([RawMessage(received_at=T0, payload=b"{not json"), good])
    stored = Stored()
    pipeline = FeedPipeline(LocalBus(), [feed], store_closed_candles=stored, tick_seconds=60)
    trades = pipeline.bus.subscribe(kinds={"trade"})
    await pipeline.start()
    try:
        received = await asyncio.wait_for(trades.get(), timeout=5)
    finally:
        await pipeline.stop()
    assert isinstance(received, Trade)
    assert received.price == Decimal(100)
    assert pipeline.parse_errors == 1


class FlakyBus(LocalBus):
    """A bus that is away while ``away`` is set: publishing raises as Redis's would."""

    def __init__(self) -> None:
        super().__init__()
        self.away = False

    async def publish(self, event: Event) -> None:
        if self.away:
            raise BusUnavailableError("Connection refused")
        await super().publish(event)


async def test_a_bus_outage_drops_events_then_republishes_the_books_before_going_on() -> None:
    bus = FlakyBus()
    pipeline = FeedPipeline(bus, [], store_closed_candles=Stored(), candle_update_every_ms=0)
    pipeline.bus_outage = Outage("publishing", backoff=BackoffPolicy(0, 0, jitter=0))
    everything = bus.subscribe()
    await pipeline.handle([book(10, bids=(("99", "1"),), asks=(("101", "1"),))])
    bus.away = True
    await pipeline.handle([delta(11, 11, bids=(("99", "3"),)), trade("100")])  # nobody sees
    await pipeline.tick()
    bus.away = False
    drain(everything)  # what was published before the outage
    await pipeline.handle([trade("100.5", time_ms=T0 + 10)])
    after = drain(everything)
    snapshot = after[0]
    assert isinstance(snapshot, BookSnapshot)  # the books first, as the feed holds them now
    assert (snapshot.last_update_id, snapshot.bids, snapshot.asks) == (
        11,
        [(Decimal(99), Decimal(3))],
        [(Decimal(101), Decimal(1))],
    )
    assert isinstance(after[1], Trade)
    assert after[1].price == Decimal("100.5")
    assert pipeline.events_dropped >= 3
    assert pipeline.bus_outage.since is None


async def test_books_in_sync_go_out_whole_every_ten_seconds() -> None:
    now = [T0]
    pipeline, _ = make_pipeline(now)
    everything = pipeline.bus.subscribe()
    await pipeline.handle([book(10, time_ms=T0), delta(11, 11, asks=(("100.5", "3"),))])
    drain(everything)

    def snapshots() -> list[BookSnapshot]:
        return [event for event in drain(everything) if isinstance(event, BookSnapshot)]

    await pipeline.tick()
    (first,) = snapshots()
    assert (first.last_update_id, first.asks) == (11, [(Decimal("100.5"), Decimal(3))])
    now[0] = T0 + 9_999
    await pipeline.tick()
    assert snapshots() == []
    now[0] = T0 + 10_000
    await pipeline.tick()
    assert len(snapshots()) == 1


async def test_a_feeds_history_is_taken_up_and_published_before_its_first_message() -> None:
    end = T0 + 12_345
    span = synthetic_history(INSTRUMENTS[:1], seed=0, end_ms=end)["BTCUSDT"]
    by_interval = candles_by_interval(span, end)
    minutes = [k for k in by_interval["1m"] if k.closed]
    open_candles = [series[-1] for series in by_interval.values()]
    feed = ListFeed([RawMessage(received_at=end, payload=encode_event(trade("1", "1", end)))])
    feed.history = minutes + open_candles  # type: ignore[attr-defined]
    pipeline = FeedPipeline(
        LocalBus(), [feed], store_closed_candles=Stored(), clock=lambda: end, tick_seconds=60
    )
    everything = pipeline.bus.subscribe()

    await pipeline.start()
    try:
        await asyncio.wait_for(pipeline.wait_until_feeds_end(), timeout=5)
    finally:
        await pipeline.stop()

    published = drain(everything)
    first_trade = next(i for i, e in enumerate(published) if isinstance(e, Trade))
    before = published[:first_trade]
    assert [e for e in before if isinstance(e, Kline)] == open_candles
    [ticker] = [e for e in before if isinstance(e, Ticker24h)]
    day = [*minutes, by_interval["1m"][-1]]
    assert ticker.open == day[0].open
    assert ticker.last_price == day[-1].close
    assert ticker.high == max(k.high for k in day)
    assert ticker.low == min(k.low for k in day)
    assert ticker.volume == sum(k.volume for k in day)
    assert ticker.quote_volume == sum(k.quote_volume for k in day)
    assert ticker.trade_count == sum(k.trade_count for k in day)
    hour = pipeline.candles.current("BTCUSDT", "1h")
    assert hour is not None
    assert hour.trade_count == by_interval["1h"][-1].trade_count + 1  # the live trade goes on


async def test_a_fenced_pipeline_publishes_and_stores_nothing_once_it_no_longer_leads() -> None:
    leading = [True]
    stored = Stored()
    pipeline = FeedPipeline(
        LocalBus(),
        [],
        store_closed_candles=stored,
        candle_update_every_ms=0,
        fence=lambda: leading[0],
    )
    everything = pipeline.bus.subscribe()
    await pipeline.handle([book(10, bids=(("99", "1"),), asks=(("101", "1"),))])
    await pipeline.handle([trade("100", "1", T0 + 1_000)])
    assert any(isinstance(event, Trade) for event in drain(everything))
    leading[0] = False  # a standby took the feed over, or the lead's session went
    await pipeline.handle([delta(11, 11, bids=(("99", "3"),)), trade("101", "1", T0 + MINUTE)])
    await pipeline.tick()
    assert drain(everything) == []
    assert stored.klines == []
    assert pipeline.events_dropped > 0
    leading[0] = True  # the lead taken again: the books go out whole before anything else
    await pipeline.handle([trade("102", "1", T0 + MINUTE + 5)])
    after = drain(everything)
    assert isinstance(after[0], BookSnapshot)
    assert (after[0].last_update_id, after[0].bids) == (11, [(Decimal(99), Decimal(3))])
    assert isinstance(after[1], Trade)
