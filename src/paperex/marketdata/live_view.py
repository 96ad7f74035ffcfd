"""The latest view of every market, kept up to date from bus events.

Each server process keeps one ``LiveMarketView`` fed by its bus subscription and answers REST and
WebSocket snapshots from it: the order book, the 24h ticker, the open candle per interval, the
last trades and the last stock quote.
"""

from __future__ import annotations

from collections import deque
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
    trades: deque[Trade] = field(default_factory=lambda: deque(maxlen=RECENT_TRADES))
    quote: Quote | None = None

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

    def __init__(self) -> None:
        self.symbols: dict[str, SymbolState] = {}

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
        elif isinstance(event, BookDelta):
            if state.book.on_delta(event):
                state.book_updated_at = event.event_time
        elif isinstance(event, Kline):
            if event.closed:
                state.open_candles.pop(event.interval, None)
            else:
                state.open_candles[event.interval] = event
        elif isinstance(event, BookSnapshot):
            state.book.on_snapshot(event)
            state.book_updated_at = event.event_time
        elif isinstance(event, Ticker24h):
            state.ticker = event
        elif isinstance(event, MiniTicker):
            state.mini_ticker = event
        elif isinstance(event, Quote):
            state.quote = event
