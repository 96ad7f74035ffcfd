"""The JSON frames clients receive, encoded once per event and shared by every subscriber.

Prices and quantities are written as JSON numbers straight from their exact decimal text
(never through a float): the frames older tools read, kept exactly (README, WebSockets).
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import msgspec

from paperex.apps.streams.fanout.frames import Frame
from paperex.domain import Side
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

_encoder = msgspec.json.Encoder(decimal_format="number")
_NOT_SENT = {"venue", "received_at"}
EVENT_NAMES: dict[type[Any], str] = {
    Trade: "trade",
    Ticker24h: "ticker",
    MiniTicker: "mini_ticker",
    BookDelta: "depth",
    BookSnapshot: "depth_snapshot",
    Kline: "kline",
    Quote: "quote",
}


def encode(data: Any) -> Frame:
    """``data`` as a JSON frame; Decimals become numbers with their exact digits."""
    return Frame(_encoder.encode(data))


def event_frame(event: Event) -> dict[str, Any]:
    """The client-side shape of a market event: ``event``, ``event_time``, ``symbol`` and the
    venue's other fields in snake_case (a trade as older tools read it on ``/stream/``)."""
    if isinstance(event, Trade):
        return {
            "event": "trade",
            "event_time": event.event_time,
            "symbol": event.symbol,
            "price": event.price,
            "quantity": event.quantity,
            "trade_time": event.trade_time,
            "market_maker": event.aggressor is Side.SELL,
            "ignore": None,
            "trade_id": event.trade_id,
        }
    frame: dict[str, Any] = {"event": EVENT_NAMES[type(event)]}
    for name in event.__struct_fields__:
        if name not in _NOT_SENT:
            frame[name] = getattr(event, name)
    return frame


def stock_timestamp(time_ms: int) -> str:
    """``2025-01-20 14:30:05`` (UTC) for ms since the epoch."""
    return datetime.fromtimestamp(time_ms / 1000, tz=UTC).strftime("%Y-%m-%d %H:%M:%S")


def stock_price_frame(
    ticker: str, price: Decimal, time_ms: int, moving_average: Decimal | None
) -> dict[str, Any]:
    """A stock monitor price update, as older tools read it."""
    return {
        "ticker": ticker,
        "price": price,
        "timestamp": stock_timestamp(time_ms),
        "moving_average_5min": (
            _to_places_of(moving_average, price) if moving_average is not None else None
        ),
    }


def _to_places_of(value: Decimal, reference: Decimal) -> Decimal:
    """``value`` with as many decimals as ``reference`` has, and at least two."""
    exponent = reference.as_tuple().exponent
    places = min(exponent, -2) if isinstance(exponent, int) else -2
    return value.quantize(Decimal(1).scaleb(places))
