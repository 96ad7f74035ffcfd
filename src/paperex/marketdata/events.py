"""Normalized market-data events, the same for every venue.

Prices and quantities are exact ``Decimal``s. Every event keeps the venue's event time and the
local receive time, both in milliseconds since the epoch (UTC).
"""

from __future__ import annotations

from decimal import Decimal

import msgspec

from paperex.domain import Side

PriceLevel = tuple[Decimal, Decimal]
"""One order-book level: (price, quantity); a quantity of 0 in a delta removes the level."""


class MarketEvent(msgspec.Struct, frozen=True, kw_only=True, tag_field="kind"):
    """Fields every normalized event has."""

    venue: str
    symbol: str
    event_time: int
    received_at: int


class Trade(MarketEvent, frozen=True, kw_only=True, tag="trade"):
    trade_id: int
    price: Decimal
    quantity: Decimal
    trade_time: int
    aggressor: Side
    """The taker's side: BUY when the buyer took liquidity (Binance's m=false)."""


class Kline(MarketEvent, frozen=True, kw_only=True, tag="kline"):
    interval: str
    open_time: int
    close_time: int
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: Decimal
    quote_volume: Decimal
    trade_count: int
    closed: bool


class Ticker24h(MarketEvent, frozen=True, kw_only=True, tag="ticker"):
    price_change: Decimal
    price_change_percent: Decimal
    weighted_average_price: Decimal
    last_price: Decimal
    last_quantity: Decimal
    best_bid: Decimal
    best_bid_quantity: Decimal
    best_ask: Decimal
    best_ask_quantity: Decimal
    open: Decimal
    high: Decimal
    low: Decimal
    volume: Decimal
    quote_volume: Decimal
    open_time: int
    close_time: int
    trade_count: int


class MiniTicker(MarketEvent, frozen=True, kw_only=True, tag="mini_ticker"):
    close: Decimal
    open: Decimal
    high: Decimal
    low: Decimal
    volume: Decimal
    quote_volume: Decimal


class BookSnapshot(MarketEvent, frozen=True, kw_only=True, tag="book_snapshot"):
    last_update_id: int
    bids: list[PriceLevel]
    """Best (highest) first."""
    asks: list[PriceLevel]
    """Best (lowest) first."""


class BookDelta(MarketEvent, frozen=True, kw_only=True, tag="book_delta"):
    first_update_id: int
    final_update_id: int
    bids: list[PriceLevel]
    asks: list[PriceLevel]


class Quote(MarketEvent, frozen=True, kw_only=True, tag="quote"):
    """A stock's last price from a polled source."""

    price: Decimal
    currency: str


Event = Trade | Kline | Ticker24h | MiniTicker | BookSnapshot | BookDelta | Quote
"""Any normalized market-data event."""
