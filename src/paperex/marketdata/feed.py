"""What every feed adapter offers: raw venue messages, a pure parser, and a status.

The recorder stores ``RawMessage``s exactly as received; the replayer feeds them back through the
venue's registered ``Parser``, the same path live data takes.
"""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator, Callable, Sequence
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


class Feed(Protocol):
    """A live source of one venue's messages for a set of symbols and streams."""

    venue: str
    status: FeedStatus

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
