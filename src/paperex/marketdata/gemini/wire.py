"""Gemini v2 market-data messages as the venue sends them (its own field names).

Candle values are JSON numbers; they are decoded straight from the number's text into exact
``Decimal``s, never through float.
"""

from __future__ import annotations

from decimal import Decimal

import msgspec

CandleWire = tuple[int, Decimal, Decimal, Decimal, Decimal, Decimal]
"""``[time_ms, open, high, low, close, volume]``."""

ChangeWire = tuple[str, Decimal, Decimal]
"""``["buy" | "sell", "price", "quantity"]``; quantity 0 removes the level."""


class MessageTypeWire(msgspec.Struct, frozen=True):
    """Only the ``type`` of any message, to pick the decoder."""

    type: str


class TradeWire(msgspec.Struct, frozen=True):
    """A trade; ``side`` is the taker's; ``timestamp`` is in ms (seconds in older messages)."""

    type: str
    symbol: str
    event_id: int
    timestamp: int
    price: Decimal
    quantity: Decimal
    side: str
    tid: int


class L2UpdatesWire(msgspec.Struct, frozen=True):
    """``l2_updates``: the first one after subscribing is the whole book plus recent trades."""

    type: str
    symbol: str
    changes: list[ChangeWire]
    trades: list[TradeWire] | None = None


class CandlesUpdatesWire(msgspec.Struct, frozen=True):
    """``candles_<tf>_updates``: candles newest first (the first message is a snapshot of many)."""

    type: str
    symbol: str
    changes: list[CandleWire]


class SubscriptionWire(msgspec.Struct, frozen=True):
    name: str
    symbols: list[str]


class SubscribeRequestWire(msgspec.Struct, frozen=True):
    """``{"type": "subscribe" | "unsubscribe", "subscriptions": [{"name", "symbols"}]}``."""

    type: str
    subscriptions: list[SubscriptionWire]
