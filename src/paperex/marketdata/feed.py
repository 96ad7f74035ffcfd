"""What every feed adapter offers: raw venue messages, a pure parser, and a status.

The recorder stores ``RawMessage``s exactly as received; the replayer feeds them back through the
venue's registered ``Parser``, the same path live data takes.

Symbols: a venue may spell a market differently from Paperex (Gemini's ``BTCUSD`` for our
``BTCUSDT``). Feeds subscribe with the venue's symbols and keep the raw messages as the venue sent
them; a feed's optional ``symbol_map`` (venue symbol -> Paperex symbol, only the ones that differ)
is applied where messages become events, by ``feed_parser``. The recorder writes the map into the
recording's header, so a replay emits the same symbols as the live feed did.
"""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from enum import StrEnum
from typing import Protocol

import msgspec

from paperex.marketdata.events import Event


class RawMessage(msgspec.Struct, frozen=True):
    """One frame as the venue sent it, with the local receive time (ms since the epoch)."""

    received_at: int
    payload: bytes


Parser = Callable[[RawMessage], list[Event]]
"""Pure: a venue's raw message to normalized events (empty for heartbeats and acks)."""


class FeedState(StrEnum):
    CONNECTING = "connecting"
    CONNECTED = "connected"
    STALE = "stale"
    STOPPED = "stopped"


class FeedStatus(msgspec.Struct, kw_only=True):
    """Where a feed stands; times are ms since the epoch."""

    state: FeedState = FeedState.CONNECTING
    connected_since: int | None = None
    stale_since: int | None = None
    last_message_at: int | None = None
    last_error: str | None = None
    reconnects: int = 0
    parse_errors: int = 0
    """Messages the venue's parser refused (the latest one is ``last_error``)."""


SymbolMap = Mapping[str, str]
"""Venue symbol -> Paperex symbol, for the venue symbols that differ from ours."""


class Feed(Protocol):
    """A live source of one venue's messages for a set of symbols and streams.

    Optional attributes that others look for: ``symbols`` and ``streams`` (what the recorder
    writes into a header), ``symbol_map`` (see the module notes) and ``parser`` (a parser of the
    feed's own, used instead of the venue's registered one, e.g. Gemini's numbering parser) and
    ``history`` (candles from before the feed starts, oldest first: the closed 1-minute candles of
    the last day and the open candle of each interval, which the pipeline's candles and 24h
    tickers start from).
    """

    venue: str

    @property
    def status(self) -> FeedStatus:
        """Where the feed stands now (an attribute or a property)."""
        ...

    def raw_messages(self) -> AsyncIterator[RawMessage]:
        """Messages as received, forever, reconnecting as needed, until ``close``."""
        ...

    async def subscribe(self, streams: Sequence[str]) -> None:
        """Add streams (venue names, e.g. ``btcusdt@trade``) on the open connection."""
        ...

    async def unsubscribe(self, streams: Sequence[str]) -> None:
        """Remove streams."""
        ...

    async def close(self) -> None:
        """Stop and release the connection; ``raw_messages`` then ends."""
        ...


_PARSERS: dict[str, Parser] = {}


def register_parser(venue: str, parser: Parser) -> None:
    """Make ``parser`` the one used for ``venue``'s recorded and live messages."""
    _PARSERS[venue] = parser


def parser_for(venue: str) -> Parser:
    """The parser of ``venue``, importing ``paperex.marketdata.<venue>`` (which registers it)
    when needed; raises KeyError naming the known venues."""
    if venue not in _PARSERS and venue.isidentifier():
        module = f"paperex.marketdata.{venue}"
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as error:
            if error.name != module:
                raise
    try:
        return _PARSERS[venue]
    except KeyError:
        raise KeyError(f"no parser for venue {venue!r}; known: {sorted(_PARSERS)}") from None


def renaming_parser(parser: Parser, symbol_map: SymbolMap) -> Parser:
    """``parser`` whose events carry Paperex symbols: a symbol in ``symbol_map`` is replaced.

    Returns ``parser`` itself when the map renames nothing.
    """
    renames = {venue: ours for venue, ours in symbol_map.items() if venue != ours}
    if not renames:
        return parser

    def parse(message: RawMessage) -> list[Event]:
        events = parser(message)
        for index, event in enumerate(events):
            ours = renames.get(event.symbol)
            if ours is not None:
                events[index] = msgspec.structs.replace(event, symbol=ours)
        return events

    return parse


def feed_parser(feed: Feed) -> Parser:
    """The parser for ``feed``'s messages: its own ``parser`` attribute or its venue's registered
    one, renaming symbols by its ``symbol_map`` attribute; raises KeyError for an unknown venue."""
    own: Parser | None = getattr(feed, "parser", None)
    parser = own if own is not None else parser_for(feed.venue)
    return renaming_parser(parser, getattr(feed, "symbol_map", None) or {})
