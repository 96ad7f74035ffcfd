"""The book an order meets, per market, as Binance's depth streams and ``/api/v3/depth`` show
it: the feed's book (this process's market-data view) plus the users' resting orders (the
host's ``market.book`` deltas) in a PAPER market, the users' orders alone in an EXCHANGE market.

Its update id is the feed book's update id plus the exchange book's sequence: each update of
either raises it by one or more, so the diffs it publishes (``U`` = the previous ``u`` + 1) are
contiguous, and the snapshot ``/api/v3/depth`` takes from it in this process says which of them
it holds. Each diff carries the new total of every level the update touched.
"""

from __future__ import annotations

import asyncio
import heapq
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async

from paperex.apps.binance.market_streams import payloads
from paperex.apps.binance.market_streams.exchange_groups import exchange_groups
from paperex.apps.binance.market_streams.publisher import followed, publish
from paperex.apps.core.groups import book_group
from paperex.apps.marketdata.runtime import runtime
from paperex.apps.markets.models import Market
from paperex.apps.trading.selectors.exchange_book import (
    exchange_book_at_sequence,
    tradable_book_with_update_id,
)
from paperex.marketdata.events import BookDelta, BookSnapshot, Event, PriceLevel

ZERO = Decimal(0)
EVERY_LEVEL = 1_000_000
"""Depth that reads a whole exchange book."""
PARTIAL_DEPTHS = (5, 10, 20)


@dataclass
class MarketBook:
    """One market's exchange levels at ``sequence``, and the feed book as last published."""

    symbol: str
    with_feed: bool
    sequence: int
    bids: dict[Decimal, Decimal]
    asks: dict[Decimal, Decimal]
    feed_id: int = 0
    feed_bids: set[Decimal] = field(default_factory=set)
    feed_asks: set[Decimal] = field(default_factory=set)
    best: tuple[list[PriceLevel], list[PriceLevel]] | None = None
    """The best levels ``@bookTicker`` last sent."""

    @property
    def update_id(self) -> int:
        return self.feed_id + self.sequence

    def quantity(self, price: Decimal, *, bid: bool) -> Decimal:
        """The tradable quantity at ``price``: the exchange's plus the feed's."""
        own = (self.bids if bid else self.asks).get(price, ZERO)
        if not self.with_feed:
            return own
        return own + runtime.state.of(self.symbol).book.book.quantity_at(price, bid=bid)

    def top(self, depth: int, *, bid: bool) -> list[PriceLevel]:
        """The best ``depth`` tradable levels of one side."""
        own = self.bids if bid else self.asks
        choose = heapq.nlargest if bid else heapq.nsmallest
        prices = set(choose(depth, own))
        if self.with_feed:
            feed = runtime.state.of(self.symbol).book.book
            prices.update(price for price, _ in (feed.bids if bid else feed.asks)(depth))
        return [(price, self.quantity(price, bid=bid)) for price in choose(depth, prices)]


def _exchange_levels(levels: Iterable[list[str]]) -> dict[Decimal, Decimal]:
    return {Decimal(price): Decimal(quantity) for price, quantity in levels}


def _load(symbol: str) -> MarketBook | None:
    market = Market.objects.filter(symbol=symbol).first()
    if market is None:
        return None
    sequence, book = exchange_book_at_sequence(market_id=market.pk, depth=EVERY_LEVEL)
    return MarketBook(
        symbol=symbol,
        with_feed=market.mode == Market.Mode.PAPER,
        sequence=sequence,
        bids=_exchange_levels(book["bids"]),
        asks=_exchange_levels(book["asks"]),
    )


class TradableBooks:
    """This process's tradable books of the markets whose depth someone follows."""

    def __init__(self) -> None:
        self._books: dict[str, MarketBook] = {}
        self._loads: dict[str, asyncio.Task[MarketBook | None]] = {}
        self._pending: dict[str, list[dict[str, Any]]] = {}
        """The ``market.book`` messages that came while a market's book was loading."""

    def clear(self) -> None:
        """Forget every book (tests)."""
        self._books.clear()
        self._loads.clear()
        self._pending.clear()

    async def follow(self, symbol: str) -> MarketBook | None:
        """The market's book, loaded first (None for a symbol Paperex does not list)."""
        if symbol in self._books:
            return self._books[symbol]
        return await asyncio.shield(self._load_started(symbol))

    def _load_started(self, symbol: str) -> asyncio.Task[MarketBook | None]:
        """The load of the market's book, started unless it is under way (one per market)."""
        task = self._loads.get(symbol)
        if task is None:
            task = asyncio.get_running_loop().create_task(self._load(symbol))
            self._loads[symbol] = task
            task.add_done_callback(lambda done: self._load_ended(symbol, done))
        return task

    def _load_ended(self, symbol: str, task: asyncio.Task[Any] | None) -> None:
        if self._loads.get(symbol) is task:
            del self._loads[symbol]

    async def _load(self, symbol: str) -> MarketBook | None:
        self._pending[symbol] = []
        book: MarketBook | None = None
        try:
            await exchange_groups.join(book_group(symbol), "market.book", self.exchange_updated)
            book = await database_sync_to_async(_load)(symbol)
        finally:
            pending = self._pending.pop(symbol, [])
        if book is None:
            return None
        self._track_feed(book)
        self._books[symbol] = book
        self._load_ended(symbol, asyncio.current_task())  # a gap among these loads again
        for message in pending:
            self.exchange_updated(message)
        return book

    async def snapshot(self, symbol: str, depth: int) -> dict[str, Any] | None:
        """``{"last_update_id", "bids", "asks"}`` of the market's book (None for a symbol
        Paperex does not list); follows the market from now on."""
        book = await self.follow(symbol)
        if book is None:
            return None
        return {
            "last_update_id": book.update_id,
            "bids": book.top(depth, bid=True),
            "asks": book.top(depth, bid=False),
        }

    def _track_feed(self, book: MarketBook) -> None:
        if not book.with_feed:
            return
        sync = runtime.state.of(book.symbol).book
        book.feed_id = sync.last_update_id or 0
        book.feed_bids = sync.book.prices(bid=True)
        book.feed_asks = sync.book.prices(bid=False)

    def exchange_updated(self, message: dict[str, Any]) -> None:
        """A ``market.book`` message (BookLevelsDelta): applied when it is the next one; a gap
        reloads the book (its diffs then jump, which tells clients to take a new snapshot)."""
        symbol = str(message["symbol"])
        if symbol in self._pending:
            self._pending[symbol].append(message)
            return
        book = self._books.get(symbol)
        if book is None or message["sequence"] <= book.sequence:
            return
        if message["sequence"] != book.sequence + 1:
            del self._books[symbol]
            self._load_started(symbol)
            return
        first = book.update_id + 1
        for own, levels in ((book.bids, message["bids"]), (book.asks, message["asks"])):
            for price, quantity in _exchange_levels(levels).items():
                if quantity:
                    own[price] = quantity
                else:
                    own.pop(price, None)
        book.sequence = message["sequence"]
        changed = (
            {Decimal(price) for price, _ in message["bids"]},
            {Decimal(price) for price, _ in message["asks"]},
        )
        self._publish(book, first, changed, int(message["time"]))

    def feed_updated(self, event: Event) -> None:
        """The runtime's listener: a feed book update of a followed PAPER market, after the
        market-data view applied it."""
        if not isinstance(event, BookDelta | BookSnapshot):
            return
        book = self._books.get(event.symbol)
        if book is None or not book.with_feed:
            return
        sync = runtime.state.of(event.symbol).book
        if sync.last_update_id is None or sync.last_update_id <= book.feed_id:
            return
        first = book.update_id + 1
        if isinstance(event, BookDelta) and event.first_update_id <= book.feed_id + 1:
            changed = ({p for p, _ in event.bids}, {p for p, _ in event.asks})
            for prices, side in ((book.feed_bids, True), (book.feed_asks, False)):
                for price in changed[0] if side else changed[1]:
                    if sync.book.quantity_at(price, bid=side):
                        prices.add(price)
                    else:
                        prices.discard(price)
        else:  # a new snapshot: every level the book had or has now
            old = (book.feed_bids, book.feed_asks)
            self._track_feed(book)
            changed = (old[0] | book.feed_bids, old[1] | book.feed_asks)
        book.feed_id = sync.last_update_id
        self._publish(book, first, changed, event.event_time)

    def _publish(
        self,
        book: MarketBook,
        first: int,
        changed: tuple[set[Decimal], set[Decimal]],
        event_time: int,
    ) -> None:
        symbol = book.symbol.lower()
        bids = [(price, book.quantity(price, bid=True)) for price in sorted(changed[0])]
        asks = [(price, book.quantity(price, bid=False)) for price in sorted(changed[1])]
        last = book.update_id

        def diff() -> dict[str, Any]:
            return payloads.depth_update_payload(book.symbol, event_time, first, last, bids, asks)

        for name in (f"{symbol}@depth", f"{symbol}@depth@100ms"):
            publish(name, diff)
        for depth in PARTIAL_DEPTHS:
            for name in (f"{symbol}@depth{depth}", f"{symbol}@depth{depth}@100ms"):
                publish(name, partial_depth(book, depth))
        ticker = f"{symbol}@bookTicker"
        if followed(ticker):
            best = (book.top(1, bid=True), book.top(1, bid=False))
            if best != book.best:
                book.best = best
                publish(ticker, lambda: payloads.book_ticker_payload(book.symbol, last, *best))


def partial_depth(book: MarketBook, depth: int) -> Callable[[], dict[str, Any]]:
    """What builds a partial-depth payload of ``book`` as it is now."""
    return lambda: payloads.partial_depth_payload(
        book.update_id, book.top(depth, bid=True), book.top(depth, bid=False)
    )


tradable_books = TradableBooks()
"""This process's tradable books."""


def depth_snapshot(market: Market, depth: int) -> dict[str, Any]:
    """``/api/v3/depth``'s book and update id: this process's tradable book, read on the
    server's event loop, so in the same sequence as the diffs this process sends; from the
    database and the market-data view where market data does not run (tests, commands)."""
    if runtime.running:
        snapshot = async_to_sync(tradable_books.snapshot)(market.symbol, depth)
        if snapshot is not None:
            return snapshot
    return tradable_book_with_update_id(market=market, depth=depth)
