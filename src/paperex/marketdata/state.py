"""The latest view of every market, kept up to date from bus events.

Each server process keeps one ``MarketState`` fed by its bus subscription and answers REST and
WebSocket snapshots from it: the order book, the 24h ticker, the open candle per interval, the
last trades and the last stock quote.
"""

from __future__ import annotations

import heapq
from collections import deque
from dataclasses import dataclass, field
from decimal import Decimal

from paperex.marketdata.events import (
    BookDelta,
    BookSnapshot,
    Event,
    Kline,
    MiniTicker,
    PriceLevel,
    Quote,
    Ticker24h,
    Trade,
)

RECENT_TRADES = 100


class LevelBook:
    """Price levels of one market built from a snapshot and contiguous deltas."""

    def __init__(self) -> None:
        self.bids: dict[Decimal, Decimal] = {}
        self.asks: dict[Decimal, Decimal] = {}
        self.last_update_id = 0
        self.in_sync = False
        self.updated_at = 0

    def apply_snapshot(self, snapshot: BookSnapshot) -> None:
        """Replace every level with the snapshot's."""
        self.bids = dict(snapshot.bids)
        self.asks = dict(snapshot.asks)
        self.last_update_id = snapshot.last_update_id
        self.in_sync = True
        self.updated_at = snapshot.event_time

    def apply_delta(self, delta: BookDelta) -> bool:
        """Apply a delta that follows the last one; returns False (and goes out of sync) on a gap.

        Out of sync, deltas are ignored until the next snapshot.
        """
        if not self.in_sync:
            return False
        if delta.final_update_id <= self.last_update_id:
            return True  # already contained in the snapshot
        if delta.first_update_id > self.last_update_id + 1:
            self.in_sync = False
            return False
        _apply_levels(self.bids, delta.bids)
        _apply_levels(self.asks, delta.asks)
        self.last_update_id = delta.final_update_id
        self.updated_at = delta.event_time
        return True

    def top(self, depth: int) -> tuple[list[PriceLevel], list[PriceLevel]]:
        """The best ``depth`` bids (highest first) and asks (lowest first)."""
        bids = heapq.nlargest(depth, self.bids.items())
        asks = heapq.nsmallest(depth, self.asks.items())
        return bids, asks


def _apply_levels(side: dict[Decimal, Decimal], levels: list[PriceLevel]) -> None:
    for price, quantity in levels:
        if quantity:
            side[price] = quantity
        else:
            side.pop(price, None)


@dataclass
class SymbolState:
    """Everything known about one market right now."""

    book: LevelBook = field(default_factory=LevelBook)
    ticker: Ticker24h | None = None
    mini_ticker: MiniTicker | None = None
    open_candles: dict[str, Kline] = field(default_factory=dict)
    trades: deque[Trade] = field(default_factory=lambda: deque(maxlen=RECENT_TRADES))
    quote: Quote | None = None

    @property
    def last_price(self) -> Decimal | None:
        """The last trade's price, else the last quote's, else None."""
        if self.trades:
            return self.trades[-1].price
        return self.quote.price if self.quote else None


class MarketState:
    """Per-symbol state for every market seen on the bus."""

    def __init__(self) -> None:
        self.symbols: dict[str, SymbolState] = {}

    def of(self, symbol: str) -> SymbolState:
        """The state of ``symbol``, empty if nothing arrived for it yet."""
        state = self.symbols.get(symbol)
        if state is None:
            state = self.symbols[symbol] = SymbolState()
        return state

    def apply(self, event: Event) -> None:
        """Fold one event into the state."""
        state = self.of(event.symbol)
        if isinstance(event, Trade):
            state.trades.append(event)
        elif isinstance(event, BookDelta):
            state.book.apply_delta(event)
        elif isinstance(event, Kline):
            if event.closed:
                state.open_candles.pop(event.interval, None)
            else:
                state.open_candles[event.interval] = event
        elif isinstance(event, BookSnapshot):
            state.book.apply_snapshot(event)
        elif isinstance(event, Ticker24h):
            state.ticker = event
        elif isinstance(event, MiniTicker):
            state.mini_ticker = event
        elif isinstance(event, Quote):
            state.quote = event
