"""The latest view of every market, kept up to date from bus events.

Each server process keeps one ``LiveMarketView`` fed by its bus subscription and answers REST and
WebSocket snapshots from it: the order book, the 24h ticker, the open candle per interval, the
last trades and the last stock quote.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from paperex.marketdata.events import (
    BookDelta,
    BookSnapshot,
    Event,
    Kline,
    MiniTicker,
    Quote,
    Ticker24h,
    Trade,
)
from paperex.marketdata.local_book import BookSync
from paperex.support.clock import ClockMs, wall_clock_ms

RECENT_TRADES = 100


@dataclass
class SymbolState:
    """Everything known about one market right now."""

    symbol: str
    book: BookSync = field(init=False)
    book_updated_at: int = 0
    ticker: Ticker24h | None = None
    mini_ticker: MiniTicker | None = None
    open_candles: dict[str, Kline] = field(default_factory=dict)
    last_closed_candles: dict[str, Kline] = field(default_factory=dict)
    """The newest closed candle per interval: the feed stores closed candles on its next tick,
    and until then only this view has that candle."""
    trades: deque[Trade] = field(default_factory=lambda: deque(maxlen=RECENT_TRADES))
    quote: Quote | None = None
    book_received_at: int = 0
    """When (this view's clock, ms) the book last changed; 0 before it had one."""
    trade_received_at: int = 0
    """When (this view's clock, ms) the last trade arrived; 0 before one did."""

    def __post_init__(self) -> None:
        self.book = BookSync(self.symbol)

    @property
    def last_price(self) -> Decimal | None:
        """The last trade's price, else the last quote's, else None."""
        if self.trades:
            return self.trades[-1].price
        return self.quote.price if self.quote else None


class LiveMarketView:
    """Per-symbol state for every market seen on the bus."""

    def __init__(self, clock: ClockMs = wall_clock_ms) -> None:
        self.symbols: dict[str, SymbolState] = {}
        self._clock = clock
        """When events arrive here, whatever time they carry (a replay's are old)."""

    def of(self, symbol: str) -> SymbolState:
        """The state of ``symbol``, empty if nothing arrived for it yet."""
        state = self.symbols.get(symbol)
        if state is None:
            state = self.symbols[symbol] = SymbolState(symbol)
        return state

    def apply(self, event: Event) -> None:
        """Fold one event into the state."""
        state = self.of(event.symbol)
        if isinstance(event, Trade):
            state.trades.append(event)
            state.trade_received_at = self._clock()
        elif isinstance(event, BookDelta):
            if state.book.on_delta(event):
                state.book_updated_at = event.event_time
                state.book_received_at = self._clock()
        elif isinstance(event, Kline):
            if event.closed:
                state.open_candles.pop(event.interval, None)
                state.last_closed_candles[event.interval] = event
            else:
                state.open_candles[event.interval] = event
        elif isinstance(event, BookSnapshot):
            state.book.on_snapshot(event)
            state.book_updated_at = event.event_time
            state.book_received_at = self._clock()
        elif isinstance(event, Ticker24h):
            state.ticker = event
        elif isinstance(event, MiniTicker):
            state.mini_ticker = event
        elif isinstance(event, Quote):
            state.quote = event

    def markets_not_ready(self, symbols: Iterable[str]) -> dict[str, str]:
        """Which of ``symbols`` cannot be shown whole yet, each with what it lacks: a market
        with a book needs its 24 h ticker and its book in sync; a quotes-only market (stocks)
        needs a quote."""
        missing: dict[str, str] = {}
        for symbol in symbols:
            state = self.symbols.get(symbol)
            if state is None:
                missing[symbol] = "no market data yet"
            elif state.book_received_at or state.trades:
                if state.ticker is None:
                    missing[symbol] = "no 24 h ticker yet"
                elif not state.book.in_sync:
                    missing[symbol] = "its book is not in sync"
            elif state.quote is None:
                missing[symbol] = "no market data yet"
        return missing

    def stale_markets(self, *, max_age: int) -> dict[str, str]:
        """The markets with a book whose book or trades stopped arriving ``max_age`` ms ago,
        each with what stopped. Quotes-only markets (stocks) and a
        market that never traded are not judged on what they never had."""
        now = self._clock()
        stale: dict[str, str] = {}
        for symbol, state in self.symbols.items():
            if not state.book_received_at:
                continue
            book_age = now - state.book_received_at
            trade_age = now - state.trade_received_at if state.trade_received_at else 0
            if book_age > max_age:
                stale[symbol] = f"no book update for {book_age // 1000} s"
            elif trade_age > max_age:
                stale[symbol] = f"no trade for {trade_age // 1000} s"
        return stale
