"""Feeds to the bus: parse every raw message, aggregate trades, publish everything.

One pipeline runs wherever the feeds run (inside the server in embedded mode, in the
``paperex feed`` process in production). It publishes the venue's events and, from trades, its
own candles (open updates and closed bars) and rolling 24h tickers; closed candles also go to a
sink that stores them. A feed's ``history`` (see ``Feed``) is where its candles and tickers start:
they are published before the feed's first message, so a market has its day at once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence

from paperex.marketdata.aggregation import CandleAggregator, TickerAggregator
from paperex.marketdata.bus import BusUnavailableError, MarketDataBus
from paperex.marketdata.errors import ParseError
from paperex.marketdata.events import BookDelta, BookSnapshot, Event, Kline, Trade
from paperex.marketdata.feed import Feed, feed_parser
from paperex.marketdata.local_book import BookSync
from paperex.support.async_tasks import cancel_and_wait
from paperex.support.clock import ClockMs, wall_clock_ms
from paperex.support.supervision import Outage

logger = logging.getLogger(__name__)

BOOK_SNAPSHOT_EVERY_MS = 10_000
"""How often each book in sync goes out whole, so that a subscriber that missed deltas (it
joined late, or Redis was away) is back in sync within this long."""
TIME_WENT_BACK_MS = 60_000
"""A trade this much older than its symbol's last one starts a new session (a replay loop)."""
ClosedCandleSink = Callable[[list[Kline]], Awaitable[None]]


class FeedPipeline:
    """Runs feeds into a bus with candle and ticker aggregation."""

    def __init__(
        self,
        bus: MarketDataBus,
        feeds: Sequence[Feed],
        *,
        store_closed_candles: ClosedCandleSink,
        clock: ClockMs = wall_clock_ms,
        tick_seconds: float = 1.0,
        candle_update_every_ms: int = 1_000,
        book_snapshot_every_ms: int = BOOK_SNAPSHOT_EVERY_MS,
        fence: Callable[[], bool] | None = None,
    ) -> None:
        self.bus = bus
        self._fence = fence
        """Asked before each publish and store: False once this process no longer leads the
        feed role (a standby took over), so that nothing more goes out from here."""
        self._fenced_out = False
        """Events were dropped by the fence: the books go out whole before the next event."""
        self.feeds = list(feeds)
        self._store = store_closed_candles
        self._clock = clock
        self._tick_seconds = tick_seconds
        self.candles = CandleAggregator(update_every_ms=candle_update_every_ms)
        self.tickers = TickerAggregator()
        self._last_trade_time: dict[str, int] = {}
        self.books: dict[str, BookSync] = {}
        """Kept for the tickers' best bid and ask, and to republish after a bus outage."""
        self._book_venues: dict[str, str] = {}
        self._book_snapshot_every_ms = book_snapshot_every_ms
        self._books_published_at = 0
        self.bus_outage = Outage("market-data publishing")
        self.events_dropped = 0
        """Events the bus could not take during an outage."""
        self._closed: list[Kline] = []
        self._sending = asyncio.Lock()
        """Held while a batch or a tick is published: a whole book built by a tick must go out
        after the deltas it contains and before the ones it does not (the bus yields while it
        sends, and a feed's batch may then be halfway)."""
        self._pumps: list[asyncio.Task[None]] = []
        self._ticker: asyncio.Task[None] | None = None
        self.parse_errors = 0
        self.events_published = 0
        self.lag_ms = 0
        """How far the latest events arrived behind their venue's event time."""

    async def start(self) -> None:
        """Take up the feeds' history, then start one task per feed and the periodic tick."""
        for feed in self.feeds:
            await self.resume(getattr(feed, "history", ()))
        self._pumps = [
            asyncio.create_task(self._pump(feed), name=f"feed-{feed.venue}") for feed in self.feeds
        ]
        self._ticker = asyncio.create_task(self._tick_forever(), name="feed-tick")

    async def wait_until_feeds_end(self) -> None:
        """Return when every feed has ended (a replay reaching the end of its file)."""
        await asyncio.gather(*self._pumps)

    async def stop(self) -> None:
        """Stop the feeds and tasks, then store the candles closed so far."""
        for feed in self.feeds:
            await feed.close()
        await cancel_and_wait(*self._pumps, self._ticker)
        self._pumps, self._ticker = [], None
        await self._flush_closed()

    async def resume(self, history: Sequence[Kline]) -> None:
        """Continue from ``history`` (oldest first): its open candles become the open candles, its
        1-minute candles fill the 24h tickers; publish both."""
        for kline in history:
            if kline.interval == "1m":
                self.tickers.add_candle(kline)
            if not kline.closed:
                self.candles.resume(kline)
                await self._publish(kline)
        if history:
            now = self._clock()
            for ticker in self.tickers.tickers(now):
                await self._publish(ticker)
            for mini_ticker in self.tickers.mini_tickers(now):
                await self._publish(mini_ticker)

    async def handle(self, events: Sequence[Event]) -> None:
        """Publish events and what they aggregate into."""
        self.events_published += len(events)
        if events:
            self.lag_ms = events[-1].received_at - events[-1].event_time
        async with self._sending:
            await self._handle(events)

    async def _handle(self, events: Sequence[Event]) -> None:
        for event in events:
            await self._publish(event)
            if isinstance(event, Trade):
                self._start_over_if_time_went_back(event)
                self.tickers.add_trade(event)
                for kline in self.candles.add_trade(event):
                    await self._publish(kline)
                    if kline.closed:
                        self._closed.append(kline)
            elif isinstance(event, BookDelta):
                self._book(event.symbol, event.venue).on_delta(event)
            elif isinstance(event, BookSnapshot):
                self._book(event.symbol, event.venue).on_snapshot(event)

    async def tick(self) -> None:
        """Close candles that are due, publish tickers, store closed candles."""
        async with self._sending:
            await self._publish_due(self._clock())
        await self._flush_closed()

    async def _publish_due(self, now: int) -> None:
        for kline in self.candles.close_due(now):
            await self._publish(kline)
            self._closed.append(kline)
        self._update_best_quotes()
        for ticker in self.tickers.tickers(now):
            await self._publish(ticker)
        for mini_ticker in self.tickers.mini_tickers(now):
            await self._publish(mini_ticker)
        if now - self._books_published_at >= self._book_snapshot_every_ms:
            self._books_published_at = now
            for snapshot in self._book_snapshots():
                await self._publish(snapshot)

    def _start_over_if_time_went_back(self, trade: Trade) -> None:
        # A looping replay starts again at its first trade; aggregate it as a new session
        # instead of ignoring every trade of the next pass as late.
        last = self._last_trade_time.get(trade.symbol)
        if last is not None and trade.trade_time < last - TIME_WENT_BACK_MS:
            self.candles.forget(trade.symbol)
            self.tickers.forget(trade.symbol)
        self._last_trade_time[trade.symbol] = trade.trade_time

    async def _publish(self, event: Event) -> None:
        """Publish one event. While the bus is away, or the fence says this process does not
        lead, drop events (trying the bus again after a backoff); the first publish after that
        sends every book that is in sync first, so that subscribers who missed deltas start
        again from a snapshot."""
        if self._fence is not None and not self._fence():
            self.events_dropped += 1
            self._fenced_out = True
            return
        if self.bus_outage.should_wait():
            self.events_dropped += 1
            return
        recovering = self.bus_outage.since is not None or self._fenced_out
        try:
            if recovering:
                for snapshot in self._book_snapshots():
                    await self.bus.publish(snapshot)
            await self.bus.publish(event)
        except BusUnavailableError as error:
            self.bus_outage.failed(error)
            self.events_dropped += 1
            return
        self._fenced_out = False
        self.bus_outage.worked()

    def _book_snapshots(self) -> list[BookSnapshot]:
        now = self._clock()
        return [
            BookSnapshot(
                venue=self._book_venues[symbol],
                symbol=symbol,
                event_time=now,
                received_at=now,
                last_update_id=sync.last_update_id,
                bids=sync.book.bids(),
                asks=sync.book.asks(),
            )
            for symbol, sync in self.books.items()
            if sync.last_update_id is not None
        ]

    def _book(self, symbol: str, venue: str) -> BookSync:
        self._book_venues[symbol] = venue
        book = self.books.get(symbol)
        if book is None:
            book = self.books[symbol] = BookSync(symbol)
        return book

    def _update_best_quotes(self) -> None:
        for symbol, sync in self.books.items():
            ticker = self.tickers.for_symbol(symbol)
            bid, ask = sync.book.best_bid(), sync.book.best_ask()
            if ticker is not None and sync.in_sync and bid and ask:
                ticker.set_best_quotes(*bid, *ask)

    async def _pump(self, feed: Feed) -> None:
        parse = feed_parser(feed)
        async for message in feed.raw_messages():
            try:
                events = parse(message)
            except ParseError as error:
                self.parse_errors += 1
                logger.warning("%s", error)
                continue
            await self.handle(events)

    async def _tick_forever(self) -> None:
        while True:
            await asyncio.sleep(self._tick_seconds)
            try:
                await self.tick()
            except Exception:  # a failed store must not stop the market data
                logger.exception("market-data tick failed")

    async def _flush_closed(self) -> None:
        if not self._closed or (self._fence is not None and not self._fence()):
            return
        batch, self._closed = self._closed, []
        try:
            await self._store(batch)
        except Exception:
            self._closed = batch + self._closed  # kept for the next tick
            raise
