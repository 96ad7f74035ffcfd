"""Gemini v2 market data over one WebSocket (``<base_url>/v2/marketdata``).

Streams are named like Binance's: ``<symbol>@<feed>`` with a feed of ``l2`` or
``candles_1m|5m|15m|30m|1h|6h|1d`` (``btcusd@l2``, ``ETHUSD@candles_1m``). Every (re)connect sends
one ``subscribe`` message for all current streams; while connected, ``subscribe`` and
``unsubscribe`` send the same-shaped messages at once (Gemini sends no acknowledgement).

Streams use Gemini's symbols; ``symbol_map`` (e.g. ``{"BTCUSD": "BTCUSDT"}``) gives the Paperex
symbol of each, applied where messages become events (``feed_parser``), so raw messages and
recordings stay exactly as Gemini sent them while events carry our symbols.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import AsyncIterator, Iterable, Sequence

import msgspec
from websockets.asyncio.client import ClientConnection

from paperex.marketdata.connection import (
    ConnectionOptions,
    NotConnectedError,
    ReconnectingWebSocket,
    parse_messages,
)
from paperex.marketdata.events import Event
from paperex.marketdata.feed import FeedStatus, RawMessage, SymbolMap, feed_parser
from paperex.marketdata.gemini.parse import CANDLE_INTERVALS_MS, VENUE, GeminiParser
from paperex.marketdata.gemini.wire import SubscribeRequestWire, SubscriptionWire
from paperex.support.backoff import RandomFraction, Sleep
from paperex.support.clock import ClockMs, wall_clock_ms

DEFAULT_URL = "wss://api.gemini.com"
FEEDS = frozenset({"l2", *(f"candles_{interval}" for interval in CANDLE_INTERVALS_MS)})


def parse_stream_name(stream: str) -> tuple[str, str]:
    """(feed, SYMBOL) of ``btcusd@l2``; raises ValueError for an unknown feed or no symbol."""
    symbol, _, feed = stream.partition("@")
    if not symbol or feed not in FEEDS:
        raise ValueError(f"gemini stream {stream!r} is not <symbol>@<{'|'.join(sorted(FEEDS))}>")
    return feed, symbol.upper()


def subscription_message(kind: str, streams: Iterable[tuple[str, str]]) -> bytes:
    """The JSON ``subscribe``/``unsubscribe`` message for (feed, SYMBOL) pairs, grouped by feed."""
    by_feed: dict[str, list[str]] = {}
    for feed, symbol in streams:
        by_feed.setdefault(feed, []).append(symbol)
    request = SubscribeRequestWire(
        type=kind,
        subscriptions=[SubscriptionWire(name, symbols) for name, symbols in by_feed.items()],
    )
    return msgspec.json.encode(request)


class GeminiStreamClient:
    """A ``Feed`` of Gemini v2 market data."""

    venue = VENUE

    def __init__(
        self,
        streams: Sequence[str] = (),
        *,
        base_url: str = DEFAULT_URL,
        symbol_map: SymbolMap | None = None,
        options: ConnectionOptions | None = None,
        clock_ms: ClockMs = wall_clock_ms,
        random_fraction: RandomFraction = random.random,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        """Streams to start with; ``symbol_map`` maps Gemini symbols to Paperex symbols.

        Raises ValueError for a malformed stream name.
        """
        self._base_url = base_url.rstrip("/")
        self.symbol_map = {
            venue: ours for venue, ours in (symbol_map or {}).items() if venue != ours
        }
        self._streams: dict[tuple[str, str], None] = dict.fromkeys(map(parse_stream_name, streams))
        self.parser = GeminiParser()
        """This client's own parser, so its book sequence is contiguous."""
        self._connection = ReconnectingWebSocket(
            url=lambda: f"{self._base_url}/v2/marketdata",
            on_open=self._subscribe_all,
            options=options,
            clock_ms=clock_ms,
            random_fraction=random_fraction,
            sleep=sleep,
        )

    @property
    def status(self) -> FeedStatus:
        """Connection state, connected/stale since, last error and reconnect count."""
        return self._connection.status

    @property
    def streams(self) -> list[str]:
        """Current streams as ``<symbol>@<feed>`` names."""
        return [f"{symbol.lower()}@{feed}" for feed, symbol in self._streams]

    @property
    def symbols(self) -> list[str]:
        """The Paperex symbols of the current streams."""
        venue_symbols = dict.fromkeys(symbol for _, symbol in self._streams)
        return [self.symbol_map.get(symbol, symbol) for symbol in venue_symbols]

    def start(self) -> None:
        """Start connecting in the background."""
        self._connection.start()

    def raw_messages(self) -> AsyncIterator[RawMessage]:
        """Messages as received, across reconnects, until ``close``."""
        return self._connection.raw_messages()

    def events(self) -> AsyncIterator[Event]:
        """Parsed events under Paperex symbols; malformed messages are counted and kept as
        ``status.last_error``."""
        return parse_messages(self.raw_messages(), feed_parser(self), self.status)

    async def subscribe(self, streams: Sequence[str]) -> None:
        """Add streams (live when connected); raises ValueError for a malformed name."""
        new = [key for key in map(parse_stream_name, streams) if key not in self._streams]
        self._streams.update(dict.fromkeys(new))
        if new:
            await self._send_if_connected(subscription_message("subscribe", new))

    async def unsubscribe(self, streams: Sequence[str]) -> None:
        """Remove streams; raises ValueError for a malformed name."""
        gone = [key for key in map(parse_stream_name, streams) if key in self._streams]
        for key in gone:
            del self._streams[key]
        if gone:
            await self._send_if_connected(subscription_message("unsubscribe", gone))

    async def close(self) -> None:
        """Close the connection; ``raw_messages`` then ends."""
        await self._connection.close()

    async def _subscribe_all(self, connection: ClientConnection) -> None:
        if self._streams:
            await connection.send(subscription_message("subscribe", self._streams).decode())

    async def _send_if_connected(self, message: bytes) -> None:
        with contextlib.suppress(NotConnectedError):  # the next connection subscribes to all
            await self._connection.send(message.decode())
