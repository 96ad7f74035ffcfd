"""Binance spot WebSocket payloads as the venue sends them.

Each field is declared with the venue's own (case-sensitive) name; prices and quantities are decoded
straight from their JSON strings into exact ``Decimal``s. Stream events carry their type in ``"e"``,
which is the tag of the ``StreamEventWire`` union so one decoder handles every event type.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Generic, TypeVar

import msgspec
from msgspec import field

WireLevel = tuple[Decimal, Decimal]
"""``["price", "quantity"]``."""


class _StreamEvent(msgspec.Struct, frozen=True, tag_field="e"):
    event_time: int = field(name="E")
    symbol: str = field(name="s")


class TradeWire(_StreamEvent, frozen=True, tag="trade"):
    trade_id: int = field(name="t")
    price: Decimal = field(name="p")
    quantity: Decimal = field(name="q")
    trade_time: int = field(name="T")
    buyer_is_maker: bool = field(name="m")


class AggTradeWire(_StreamEvent, frozen=True, tag="aggTrade"):
    aggregate_trade_id: int = field(name="a")
    price: Decimal = field(name="p")
    quantity: Decimal = field(name="q")
    first_trade_id: int = field(name="f")
    last_trade_id: int = field(name="l")
    trade_time: int = field(name="T")
    buyer_is_maker: bool = field(name="m")


class KlineBodyWire(msgspec.Struct, frozen=True):
    open_time: int = field(name="t")
    close_time: int = field(name="T")
    interval: str = field(name="i")
    open: Decimal = field(name="o")
    close: Decimal = field(name="c")
    high: Decimal = field(name="h")
    low: Decimal = field(name="l")
    volume: Decimal = field(name="v")
    trade_count: int = field(name="n")
    closed: bool = field(name="x")
    quote_volume: Decimal = field(name="q")


class KlineWire(_StreamEvent, frozen=True, tag="kline"):
    kline: KlineBodyWire = field(name="k")


class TickerWire(_StreamEvent, frozen=True, tag="24hrTicker"):
    price_change: Decimal = field(name="p")
    price_change_percent: Decimal = field(name="P")
    weighted_average_price: Decimal = field(name="w")
    last_price: Decimal = field(name="c")
    last_quantity: Decimal = field(name="Q")
    best_bid: Decimal = field(name="b")
    best_bid_quantity: Decimal = field(name="B")
    best_ask: Decimal = field(name="a")
    best_ask_quantity: Decimal = field(name="A")
    open: Decimal = field(name="o")
    high: Decimal = field(name="h")
    low: Decimal = field(name="l")
    volume: Decimal = field(name="v")
    quote_volume: Decimal = field(name="q")
    open_time: int = field(name="O")
    close_time: int = field(name="C")
    trade_count: int = field(name="n")


class MiniTickerWire(_StreamEvent, frozen=True, tag="24hrMiniTicker"):
    close: Decimal = field(name="c")
    open: Decimal = field(name="o")
    high: Decimal = field(name="h")
    low: Decimal = field(name="l")
    volume: Decimal = field(name="v")
    quote_volume: Decimal = field(name="q")


class DepthUpdateWire(_StreamEvent, frozen=True, tag="depthUpdate"):
    first_update_id: int = field(name="U")
    final_update_id: int = field(name="u")
    bids: list[WireLevel] = field(name="b")
    asks: list[WireLevel] = field(name="a")


StreamEventWire = (
    TradeWire | AggTradeWire | KlineWire | TickerWire | MiniTickerWire | DepthUpdateWire
)
"""Every payload with an ``"e"`` event type."""


class PartialDepthWire(msgspec.Struct, frozen=True):
    """``<symbol>@depth<levels>`` and the REST ``/api/v3/depth`` body (no symbol, no time)."""

    last_update_id: int = field(name="lastUpdateId")
    bids: list[WireLevel]
    asks: list[WireLevel]


DataT = TypeVar("DataT")


class CombinedFrame(msgspec.Struct, Generic[DataT], frozen=True):
    """A combined-stream frame: ``{"stream": "btcusdt@trade", "data": {...}}``."""

    stream: str
    data: DataT


class ErrorWire(msgspec.Struct, frozen=True):
    """``{"code": 2, "msg": "Invalid request: ..."}``."""

    code: int
    msg: str


class EnvelopeWire(msgspec.Struct, frozen=True):
    """Just enough of any object frame to tell what it is (the general path).

    Control replies are ``{"result": ..., "id": ...}``; errors are ``{"code", "msg"}`` at the top
    level or under ``"error"``, with or without the request ``id``.
    """

    stream: str | None = None
    data: msgspec.Raw = field(default_factory=msgspec.Raw)
    """Empty when absent."""
    event_type: str | None = field(default=None, name="e")
    last_update_id: int | None = field(default=None, name="lastUpdateId")
    result: msgspec.Raw = field(default_factory=msgspec.Raw)
    """Empty when absent; ``null`` for a successful (UN)SUBSCRIBE."""
    id: int | str | msgspec.UnsetType | None = msgspec.UNSET
    code: int | None = None
    msg: str | None = None
    error: ErrorWire | None = None

    @property
    def is_control(self) -> bool:
        """True for a reply to a control request or an error report."""
        return (
            len(self.result) > 0
            or self.id is not msgspec.UNSET
            or self.code is not None
            or self.error is not None
        )

    @property
    def error_text(self) -> str | None:
        """``"code N: msg"`` for an error reply, else None."""
        if self.error is not None:
            return f"code {self.error.code}: {self.error.msg}"
        if self.code is not None:
            return f"code {self.code}: {self.msg}"
        return None
