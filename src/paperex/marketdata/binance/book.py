"""A Binance symbol's local order book kept in sync from the diff-depth stream and REST snapshots.

Feed every event of a ``<symbol>@depth`` stream to ``on_event`` (or let ``run`` consume an event
iterator). The first delta, and any gap, makes the keeper fetch a snapshot in the background
while deltas keep buffering; the pure ``BookSync`` does the documented bookkeeping. A failed
fetch is recorded in ``last_error`` and retried after a backoff.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterable, Awaitable, Callable

from paperex.marketdata.connection import BackoffPolicy, RandomFraction, Sleep
from paperex.marketdata.events import BookDelta, BookSnapshot, Event, PriceLevel
from paperex.marketdata.local_book import BookSync, LocalOrderBook
from paperex.support.async_tasks import cancel_and_wait

FetchSnapshot = Callable[[str], Awaitable[BookSnapshot]]


class BinanceBookKeeper:
    """One symbol's book: ``best_bid``, ``best_ask``, ``bids(n)``, ``asks(n)``, ``in_sync``."""

    def __init__(
        self,
        symbol: str,
        fetch_snapshot: FetchSnapshot,
        *,
        retry: BackoffPolicy | None = None,
        random_fraction: RandomFraction = random.random,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        """``fetch_snapshot(symbol)`` is usually ``BinanceRestClient.depth``."""
        self.symbol = symbol.upper()
        self.sync = BookSync(self.symbol)
        self.snapshots_fetched = 0
        self.last_error: str | None = None
        self._fetch_snapshot = fetch_snapshot
        self._retry = retry or BackoffPolicy(initial_delay=0.5, maximum_delay=10.0)
        self._random_fraction = random_fraction
        self._sleep = sleep
        self._fetching: asyncio.Task[None] | None = None

    @property
    def book(self) -> LocalOrderBook:
        """The local book (empty while out of sync)."""
        return self.sync.book

    @property
    def in_sync(self) -> bool:
        """True when the book reflects the venue."""
        return self.sync.in_sync

    @property
    def resyncs(self) -> int:
        """How many gaps forced a new snapshot."""
        return self.sync.resyncs

    def best_bid(self) -> PriceLevel | None:
        """The highest bid, or None (also while out of sync)."""
        return self.sync.book.best_bid()

    def best_ask(self) -> PriceLevel | None:
        """The lowest ask, or None (also while out of sync)."""
        return self.sync.book.best_ask()

    def bids(self, depth: int) -> list[PriceLevel]:
        """The best ``depth`` bids, highest first."""
        return self.sync.book.bids(depth)

    def asks(self, depth: int) -> list[PriceLevel]:
        """The best ``depth`` asks, lowest first."""
        return self.sync.book.asks(depth)

    def on_event(self, event: Event) -> None:
        """Take a delta of this symbol (others are ignored); starts a snapshot fetch if needed."""
        if not isinstance(event, BookDelta) or event.symbol != self.symbol:
            return
        self.sync.on_delta(event)
        if self.sync.needs_snapshot and self._fetching is None:
            self._fetching = asyncio.get_running_loop().create_task(self._fetch_until_synced())

    async def run(self, events: AsyncIterable[Event]) -> None:
        """Consume ``events`` until they end, then stop fetching."""
        try:
            async for event in events:
                self.on_event(event)
        finally:
            await self.close()

    async def close(self) -> None:
        """Stop a snapshot fetch in progress."""
        await cancel_and_wait(self._fetching)
        self._fetching = None

    async def _fetch_until_synced(self) -> None:
        attempt = 0
        try:
            while self.sync.needs_snapshot:
                try:
                    snapshot = await self._fetch_snapshot(self.symbol)
                except Exception as error:  # the venue or the network failed: retry later
                    self.last_error = f"snapshot of {self.symbol}: {type(error).__name__}: {error}"
                else:
                    self.snapshots_fetched += 1
                    self.sync.on_snapshot(snapshot)
                    if not self.sync.needs_snapshot:
                        return
                    self.last_error = f"snapshot of {self.symbol} older than the buffered diffs"
                await self._sleep(self._retry.delay(attempt, self._random_fraction()))
                attempt += 1
        finally:
            self._fetching = None
