"""A ``Feed`` of stock quotes that polls Yahoo Finance every ``interval`` seconds.

The fetch function is synchronous (``yfinance`` is), so each poll runs in a worker thread via
``asyncio.to_thread`` and the event loop never blocks. A fetch that raises, returns None or a
price that is not positive makes the feed STALE with the reason in ``last_error`` (and per symbol
in ``symbol_errors``); no message is emitted for it, so nobody ever sees a price of 0. Streams are
``<symbol>@quote`` (a bare symbol works too).
"""

from __future__ import annotations

import asyncio
import contextlib
import math
from collections.abc import AsyncIterator, Callable, Sequence
from decimal import Decimal

from paperex.marketdata.connection import parse_messages
from paperex.marketdata.events import Event
from paperex.marketdata.feed import FeedState, FeedStatus, RawMessage, SymbolMap, feed_parser
from paperex.marketdata.yahoo.parse import VENUE, encode_quote
from paperex.marketdata.yahoo.wire import QuoteWire
from paperex.support.clock import ClockMs, wall_clock_ms

FetchQuote = Callable[[str], QuoteWire | None]
"""Synchronous: the latest quote of a symbol, or None when there is none; may raise."""


def fetch_quote_with_yfinance(symbol: str) -> QuoteWire | None:
    """The latest quote from ``yfinance``'s fast info (network I/O: call it in a thread).

    Returns None when Yahoo has no positive price; raises whatever ``yfinance`` raises.
    """
    import yfinance  # type: ignore[import-untyped]  # heavy: imported only to really poll

    info = yfinance.Ticker(symbol).fast_info
    price = info.last_price
    if price is None or not math.isfinite(float(price)) or float(price) <= 0:
        return None
    return QuoteWire(
        symbol=symbol,
        price=Decimal(repr(float(price))),
        currency=str(info.currency or "USD"),
        time=wall_clock_ms(),
    )


def symbol_of_stream(stream: str) -> str:
    """``aapl@quote`` or ``AAPL`` -> ``AAPL``; raises ValueError for another stream type."""
    symbol, at, kind = stream.partition("@")
    if not symbol or (at and kind != "quote"):
        raise ValueError(f"yahoo stream {stream!r} is not <symbol>@quote")
    return symbol.upper()


class YahooQuotePoller:
    """Polls every subscribed symbol, one round per ``interval`` seconds."""

    venue = VENUE

    def __init__(
        self,
        symbols: Sequence[str] = (),
        *,
        fetch_quote: FetchQuote = fetch_quote_with_yfinance,
        interval: float = 15.0,
        symbol_map: SymbolMap | None = None,
        clock_ms: ClockMs = wall_clock_ms,
    ) -> None:
        """``symbols`` as streams or bare Yahoo symbols, polled every ``interval`` seconds;
        ``symbol_map`` renames Yahoo symbols in events. Raises ValueError for a bad symbol."""
        self._symbols: dict[str, None] = dict.fromkeys(map(symbol_of_stream, symbols))
        self.symbol_map = {
            venue: ours for venue, ours in (symbol_map or {}).items() if venue != ours
        }
        self._fetch_quote = fetch_quote
        self._interval = interval
        self._clock_ms = clock_ms
        self._closed = asyncio.Event()
        self.status = FeedStatus()
        self.symbol_errors: dict[str, str] = {}
        """Why each symbol's last poll gave no quote; empty when all are fresh."""

    @property
    def symbols(self) -> list[str]:
        """The Paperex symbols of the symbols polled."""
        return [self.symbol_map.get(symbol, symbol) for symbol in self._symbols]

    @property
    def streams(self) -> list[str]:
        """The polled symbols as ``<symbol>@quote`` streams (Yahoo's spelling)."""
        return [f"{symbol.lower()}@quote" for symbol in self._symbols]

    @property
    def interval(self) -> float:
        """Seconds between two polling rounds."""
        return self._interval

    async def raw_messages(self) -> AsyncIterator[RawMessage]:
        """One message per fresh quote, round after round, until ``close``."""
        while not self._closed.is_set():
            for message in await self.poll_once():
                yield message
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._interval):
                    await self._closed.wait()

    def events(self) -> AsyncIterator[Event]:
        """Parsed Quote events under Paperex symbols."""
        return parse_messages(self.raw_messages(), feed_parser(self), self.status)

    async def poll_once(self) -> list[RawMessage]:
        """Fetch every symbol once (concurrently, in threads); messages of the fresh quotes."""
        symbols = list(self._symbols)
        results = await asyncio.gather(
            *(asyncio.to_thread(self._fetch_quote, symbol) for symbol in symbols),
            return_exceptions=True,
        )
        received_at = self._clock_ms()
        messages: list[RawMessage] = []
        for symbol, result in zip(symbols, results, strict=True):
            reason = _problem_with(result)
            if reason is None:
                assert isinstance(result, QuoteWire)
                self.symbol_errors.pop(symbol, None)
                messages.append(RawMessage(received_at=received_at, payload=encode_quote(result)))
            else:
                self.symbol_errors[symbol] = reason
        self._update_status(received_at, bool(messages))
        return messages

    async def subscribe(self, streams: Sequence[str]) -> None:
        """Poll these symbols too from the next round; raises ValueError for a bad stream."""
        self._symbols.update(dict.fromkeys(map(symbol_of_stream, streams)))

    async def unsubscribe(self, streams: Sequence[str]) -> None:
        """Stop polling these symbols."""
        for symbol in map(symbol_of_stream, streams):
            self._symbols.pop(symbol, None)
            self.symbol_errors.pop(symbol, None)

    async def close(self) -> None:
        """End ``raw_messages`` after the poll in progress; status becomes STOPPED."""
        self._closed.set()
        self.status.state = FeedState.STOPPED
        self.status.connected_since = None

    def _update_status(self, now: int, any_fresh: bool) -> None:
        if self._closed.is_set():
            return
        status = self.status
        if any_fresh:
            status.last_message_at = now
            if status.connected_since is None:
                status.connected_since = now
        if self.symbol_errors:
            if status.state is not FeedState.STALE:
                status.state = FeedState.STALE
                status.stale_since = now
            status.last_error = "; ".join(
                f"{symbol}: {reason}" for symbol, reason in self.symbol_errors.items()
            )
        else:
            status.state = FeedState.CONNECTED
            status.stale_since = None


def _problem_with(result: QuoteWire | BaseException | None) -> str | None:
    """Why a fetch result is not a usable quote, or None when it is."""
    if isinstance(result, BaseException):
        return f"poll failed: {type(result).__name__}: {result}"
    if result is None:
        return "no quote"
    if not result.price.is_finite() or result.price <= 0:
        return f"unusable price {result.price}"
    return None
