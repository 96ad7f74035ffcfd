"""A Binance feed for a set of symbols: market streams plus REST depth snapshots, as one Feed.

Consumers keep order books from events (``BookSync``), so the snapshot they need travels the same
path as everything else: the feed fetches ``GET /api/v3/depth`` and yields the body wrapped as a
combined-stream partial-depth frame, ``{"stream":"btcusdt@depth1000","data":{"lastUpdateId":...,
"bids":...,"asks":...}}``, between the stream's frames. Recordings therefore contain it, and a
replay rebuilds the book through the same parser.

The feed keeps a ``BookSync`` per symbol of its own, updated with each diff and snapshot at the
moment it yields them, so it sees exactly what every consumer sees. It fetches a snapshot for each
depth symbol when the first frame arrives (the stream is open, diffs are buffering), after a
sequence gap, and again after a backoff when a snapshot was older than the buffered diffs. A failed
fetch is retried with backoff and shown in ``status.last_error``; the stream keeps flowing.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Sequence

from paperex.marketdata.binance.client import DEFAULT_STREAM_URL, BinanceStreamClient
from paperex.marketdata.binance.parse import VENUE, parse_message
from paperex.marketdata.binance.rest import DEFAULT_REST_URL, BinanceRestClient
from paperex.marketdata.connection import ConnectionOptions
from paperex.marketdata.errors import ParseError
from paperex.marketdata.events import BookDelta, BookSnapshot, Kline
from paperex.marketdata.feed import FeedStatus, RawMessage, SymbolMap
from paperex.marketdata.local_book import BookSync
from paperex.support.async_tasks import cancel_and_wait
from paperex.support.backoff import BackoffPolicy, RandomFraction, Sleep
from paperex.support.clock import ClockMs, wall_clock_ms

KLINE_INTERVALS = frozenset(
    "1s 1m 3m 5m 15m 30m 1h 2h 4h 6h 8h 12h 1d 3d 1w 1M".split()  # noqa: SIM905
)
SHORT_STREAMS = ("trade", "aggTrade", "depth", "ticker", "miniTicker", "kline_<interval>")
"""The short stream names a feed takes; ``depth`` is the diff depth stream at 100 ms."""
DIFF_DEPTH = "depth@100ms"

_Item = tuple[RawMessage, BookSnapshot | None]
"""A frame to yield, with its parsed snapshot when it is one the feed fetched."""


def stream_names(symbols: Sequence[str], streams: Sequence[str]) -> list[str]:
    """Venue stream names for every symbol and short name (``trade`` -> ``btcusdt@trade``,
    ``depth`` -> ``btcusdt@depth@100ms``); raises ValueError for an unknown short name."""
    for name in streams:
        interval = name.removeprefix("kline_")
        known = name in SHORT_STREAMS[:-1] or (
            name.startswith("kline_") and interval in KLINE_INTERVALS
        )
        if not known:
            raise ValueError(f"binance stream {name!r} is not one of {', '.join(SHORT_STREAMS)}")
    return [
        f"{symbol.lower()}@{DIFF_DEPTH if name == 'depth' else name}"
        for symbol in symbols
        for name in streams
    ]


def snapshot_frame(symbol: str, limit: int, body: bytes) -> bytes:
    """A REST depth body wrapped as the combined-stream frame of ``<symbol>@depth<limit>``."""
    return b'{"stream":"%s@depth%d","data":%s}' % (symbol.lower().encode(), limit, body.strip())


def is_diff_depth_frame(payload: bytes) -> bool:
    """Whether a combined frame is of a diff depth stream (``x@depth`` or ``x@depth@100ms``)."""
    if not payload.startswith(b'{"stream":"'):
        return False
    stream = payload[11 : payload.find(b'"', 11)]
    return stream.endswith(b"@depth") or b"@depth@" in stream


class BinanceFeed:
    """A ``Feed`` of Binance streams for ``symbols`` whose diff depth comes with snapshots."""

    venue = VENUE

    def __init__(
        self,
        symbols: Sequence[str],
        streams: Sequence[str] = ("trade", "depth"),
        *,
        symbol_map: SymbolMap | None = None,
        stream_url: str = DEFAULT_STREAM_URL,
        rest: BinanceRestClient | None = None,
        rest_url: str = DEFAULT_REST_URL,
        depth_limit: int = 1000,
        snapshot_retry: BackoffPolicy | None = None,
        options: ConnectionOptions | None = None,
        clock_ms: ClockMs = wall_clock_ms,
        random_fraction: RandomFraction = random.random,
        sleep: Sleep = asyncio.sleep,
        history: Sequence[Kline] = (),
    ) -> None:
        """``symbols`` as the venue spells them; ``streams`` short names (see ``stream_names``).

        ``symbol_map`` renames venue symbols in events; ``rest`` is used (and not closed) when
        given, else one is made for ``rest_url``; ``history`` is the candles fetched before (see
        ``Feed``). Raises ValueError for an unknown stream.
        """
        self.symbol_map = {
            venue: ours for venue, ours in (symbol_map or {}).items() if venue != ours
        }
        self.history = list(history)
        self._venue_symbols = [symbol.upper() for symbol in symbols]
        self.stream_client = BinanceStreamClient(
            stream_names(self._venue_symbols, streams),
            base_url=stream_url,
            options=options,
            clock_ms=clock_ms,
            random_fraction=random_fraction,
            sleep=sleep,
        )
        self._owns_rest = rest is None
        self._rest = rest or BinanceRestClient(rest_url, clock_ms=clock_ms)
        self.depth_limit = depth_limit
        self._retry = snapshot_retry or BackoffPolicy(initial_delay=0.5, maximum_delay=10.0)
        self._clock_ms = clock_ms
        self._random_fraction = random_fraction
        self._sleep = sleep
        self._depth_symbols = self._venue_symbols if "depth" in streams else []
        self._queue: asyncio.Queue[_Item | None] = asyncio.Queue(
            (options or ConnectionOptions()).queue_size
        )
        self.books: dict[str, BookSync] = {}
        """The feed's own book sync per venue symbol (what every consumer of it has too)."""
        self._fetching: dict[str, asyncio.Task[None]] = {}
        """Symbols with a snapshot on its way, until it is yielded."""
        self._stale_snapshots: dict[str, int] = {}
        self._pump: asyncio.Task[None] | None = None
        self._seen_a_frame = False
        self._closed = False
        self.snapshots_fetched = 0

    @property
    def status(self) -> FeedStatus:
        """The stream's state; ``last_error`` also reports failed snapshot fetches."""
        return self.stream_client.status

    @property
    def symbols(self) -> list[str]:
        """The Paperex symbols of this feed."""
        return [self.symbol_map.get(symbol, symbol) for symbol in self._venue_symbols]

    @property
    def streams(self) -> list[str]:
        """The venue streams subscribed."""
        return self.stream_client.streams

    async def raw_messages(self) -> AsyncIterator[RawMessage]:
        """Stream frames and fetched snapshot frames, in the order consumers must apply them."""
        if self._pump is None and not self._closed:
            self._pump = asyncio.get_running_loop().create_task(self._copy_stream())
        while True:
            item = await self._queue.get()
            if item is None:
                self._queue.put_nowait(None)  # later iterators end too
                return
            message, snapshot = item
            if snapshot is not None:
                self._apply_snapshot(snapshot)
            else:
                self._see_stream_frame(message)
            yield message

    async def subscribe(self, streams: Sequence[str]) -> None:
        """Add venue streams (``btcusdt@depth@100ms``); a new depth symbol gets a snapshot."""
        await self.stream_client.subscribe(streams)

    async def unsubscribe(self, streams: Sequence[str]) -> None:
        """Remove venue streams; a symbol's book is forgotten with its depth stream."""
        await self.stream_client.unsubscribe(streams)
        for name in streams:
            symbol, _, kind = name.partition("@")
            if kind.startswith("depth"):
                self.books.pop(symbol.upper(), None)

    async def close(self) -> None:
        """Close the stream, stop fetching; ``raw_messages`` then ends."""
        self._closed = True
        await self.stream_client.close()
        await cancel_and_wait(*self._fetching.values(), self._pump)
        self._fetching.clear()
        if self._owns_rest:
            await self._rest.aclose()
        if self._queue.full():
            self._queue.get_nowait()
        self._queue.put_nowait(None)

    async def _copy_stream(self) -> None:
        async for message in self.stream_client.raw_messages():
            await self._queue.put((message, None))

    def _see_stream_frame(self, message: RawMessage) -> None:
        if not self._seen_a_frame:
            self._seen_a_frame = True
            for symbol in self._depth_symbols:
                self._want_snapshot(symbol)
        if not is_diff_depth_frame(message.payload):
            return
        try:
            events = parse_message(message)
        except ParseError:
            return  # the consumers' parser reports it
        for event in events:
            if isinstance(event, BookDelta):
                sync = self._book(event.symbol)
                sync.on_delta(event)
                if sync.needs_snapshot:
                    self._want_snapshot(event.symbol)

    def _apply_snapshot(self, snapshot: BookSnapshot) -> None:
        symbol = snapshot.symbol
        self._fetching.pop(symbol, None)
        sync = self._book(symbol)
        sync.on_snapshot(snapshot)
        if not sync.needs_snapshot:
            self._stale_snapshots.pop(symbol, None)
            return
        stale = self._stale_snapshots[symbol] = self._stale_snapshots.get(symbol, 0) + 1
        self.status.last_error = f"depth snapshot of {symbol} older than the buffered diffs"
        self._want_snapshot(symbol, self._retry.delay(stale - 1, self._random_fraction()))

    def _book(self, symbol: str) -> BookSync:
        sync = self.books.get(symbol)
        if sync is None:
            sync = self.books[symbol] = BookSync(symbol)
        return sync

    def _want_snapshot(self, symbol: str, delay: float = 0.0) -> None:
        if symbol in self._fetching or self._closed:
            return
        self._fetching[symbol] = asyncio.get_running_loop().create_task(
            self._fetch_snapshot(symbol, delay), name=f"binance-depth-{symbol}"
        )

    async def _fetch_snapshot(self, symbol: str, delay: float) -> None:
        if delay > 0:
            await self._sleep(delay)
        attempt = 0
        while True:
            try:
                body = await self._rest.depth_body(symbol, self.depth_limit)
                payload = snapshot_frame(symbol, self.depth_limit, body)
                message = RawMessage(received_at=self._clock_ms(), payload=payload)
                snapshot = parse_message(message)[0]
                if not isinstance(snapshot, BookSnapshot):
                    raise ParseError(VENUE, "the depth body is not a snapshot", body)
            except Exception as error:  # the venue or the network failed: retry later
                self.status.last_error = (
                    f"depth snapshot of {symbol}: {type(error).__name__}: {error}"
                )
                await self._sleep(self._retry.delay(attempt, self._random_fraction()))
                attempt += 1
                continue
            self.snapshots_fetched += 1
            await self._queue.put((message, snapshot))
            return
