"""The synthetic market as an async ``Feed``: its events, paced in real time, as raw messages.

Simulated time starts at ``start_ms`` (default: now) and runs at ``speed`` times the wall clock;
``speed=None`` produces as fast as the consumer takes. A message's ``received_at`` is its
simulated event time, so the feed is deterministic whatever the clock, and a recording of it
replays with the simulated gaps. ``history`` (see ``Feed``) is what the market did before
``start_ms``, e.g. from ``synthetic.history``, with ``profiles`` starting at its last prices.
Streams are ``<symbol>@trade`` and ``<symbol>@depth``
(lowercase symbol); subscribing to a depth stream sends that book's snapshot first.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Mapping, Sequence

from paperex.domain import Instrument
from paperex.marketdata.events import BookDelta, BookSnapshot, Event, Kline
from paperex.marketdata.feed import FeedState, FeedStatus, RawMessage
from paperex.marketdata.pacing import Monotonic, Pacer, Sleep
from paperex.marketdata.synthetic.market import VENUE, MarketSettings, SyntheticMarket
from paperex.marketdata.synthetic.profiles import AssetProfile
from paperex.marketdata.synthetic.wire import encode_event
from paperex.support.clock import ClockMs, wall_clock_ms


def stream_names(symbol: str) -> tuple[str, str]:
    """The trade and depth stream names of ``symbol``."""
    lower = symbol.lower()
    return f"{lower}@trade", f"{lower}@depth"


def _stream_of(event: Event) -> str:
    trade_stream, depth_stream = stream_names(event.symbol)
    return depth_stream if isinstance(event, BookSnapshot | BookDelta) else trade_stream


class SyntheticFeed:
    """A ``Feed`` over a ``SyntheticMarket``; ``close`` ends ``raw_messages`` promptly."""

    venue = VENUE

    def __init__(
        self,
        instruments: Sequence[Instrument],
        *,
        seed: int = 0,
        settings: MarketSettings | None = None,
        profiles: Mapping[str, AssetProfile] | None = None,
        streams: Sequence[str] | None = None,
        speed: float | None = 1.0,
        start_ms: int | None = None,
        history: Sequence[Kline] = (),
        clock_ms: ClockMs = wall_clock_ms,
        monotonic: Monotonic = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        """``streams`` defaults to every stream of every instrument.

        Raises ValueError for a bad market (see ``SyntheticMarket``), speed or stream name.
        """
        self._clock_ms = clock_ms
        self.market = SyntheticMarket(
            instruments,
            seed=seed,
            start_ms=clock_ms() if start_ms is None else start_ms,
            settings=settings,
            profiles=profiles,
        )
        self.symbols = self.market.symbols
        self.history = list(history)
        self._available = {name for symbol in self.symbols for name in stream_names(symbol)}
        self._streams: set[str] = set()
        self._snapshot_due: set[str] = set()
        self._add_streams(self._available if streams is None else streams)
        self._pacer = Pacer(speed, monotonic=monotonic, sleep=sleep)
        self._closed = False
        self.status = FeedStatus()

    @property
    def streams(self) -> list[str]:
        """The subscribed stream names, sorted."""
        return sorted(self._streams)

    async def raw_messages(self) -> AsyncIterator[RawMessage]:
        """Every subscribed event as a raw message, paced by ``speed``, until ``close``."""
        market = self.market
        self._pacer.start(market.now_ms)
        self.status.state = FeedState.CONNECTED
        self.status.connected_since = self._clock_ms()
        yield_every = 0
        while not self._closed:
            if self._snapshot_due:
                for symbol in [s for s in self.symbols if s in self._snapshot_due]:
                    yield self._message(market.book_snapshot(symbol))
                self._snapshot_due.clear()
            events = market.step()
            await self._pacer.wait_until_due(market.now_ms, self._is_closed)
            if self._closed:
                return
            if self._pacer.speed is None:
                yield_every += 1
                if yield_every >= 1_000:  # never starve the event loop at full speed
                    yield_every = 0
                    await self._pacer.sleep(0)
            for event in events:
                if _stream_of(event) in self._streams:
                    yield self._message(event)

    async def subscribe(self, streams: Sequence[str]) -> None:
        """Add streams; a new depth stream starts with its book snapshot.

        Raises ValueError for a stream this feed does not have.
        """
        self._add_streams(streams)

    async def unsubscribe(self, streams: Sequence[str]) -> None:
        """Remove streams (unknown names are ignored)."""
        self._streams.difference_update(streams)

    async def close(self) -> None:
        """Stop: ``raw_messages`` ends after the step it is on."""
        self._closed = True
        self.status.state = FeedState.STOPPED

    def _is_closed(self) -> bool:
        return self._closed

    def _add_streams(self, streams: Sequence[str] | set[str]) -> None:
        unknown = sorted(set(streams) - self._available)
        if unknown:
            raise ValueError(f"unknown synthetic streams {unknown}; have {sorted(self._available)}")
        for name in streams:
            if name not in self._streams and name.endswith("@depth"):
                self._snapshot_due.add(self._symbol_of(name))
            self._streams.add(name)

    def _symbol_of(self, stream: str) -> str:
        lower = stream.split("@", 1)[0]
        return next(symbol for symbol in self.symbols if symbol.lower() == lower)

    def _message(self, event: Event) -> RawMessage:
        self.status.last_message_at = event.received_at
        return RawMessage(event.received_at, encode_event(event))
