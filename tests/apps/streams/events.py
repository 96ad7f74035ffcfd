"""Terse market events for stream tests."""

from __future__ import annotations

from decimal import Decimal

from paperex.domain import Side
from paperex.marketdata.events import BookDelta, BookSnapshot, Kline, Trade

T0 = 1_737_383_405_000  # 2025-01-20 14:30:05 UTC


def trade(symbol: str, price: str, time_ms: int = T0, quantity: str = "0.006") -> Trade:
    return Trade(
        venue="synthetic",
        symbol=symbol,
        event_time=time_ms,
        received_at=time_ms,
        trade_id=7,
        price=Decimal(price),
        quantity=Decimal(quantity),
        trade_time=time_ms,
        aggressor=Side.SELL,
    )


def book(symbol: str, update_id: int) -> BookSnapshot:
    return BookSnapshot(
        venue="synthetic",
        symbol=symbol,
        event_time=T0,
        received_at=T0,
        last_update_id=update_id,
        bids=[(Decimal("99.5"), Decimal("1"))],
        asks=[(Decimal("100.5"), Decimal("2"))],
    )


def delta(symbol: str, first: int, final: int) -> BookDelta:
    return BookDelta(
        venue="synthetic",
        symbol=symbol,
        event_time=T0 + 1,
        received_at=T0 + 1,
        first_update_id=first,
        final_update_id=final,
        bids=[(Decimal("99.6"), Decimal("3"))],
        asks=[],
    )


def kline(symbol: str, close: str) -> Kline:
    return Kline(
        venue="synthetic",
        symbol=symbol,
        event_time=T0,
        received_at=T0,
        interval="1m",
        open_time=T0 - 5_000,
        close_time=T0 + 54_999,
        open=Decimal("100"),
        high=Decimal("101"),
        low=Decimal("99"),
        close=Decimal(close),
        volume=Decimal("2"),
        quote_volume=Decimal("200"),
        trade_count=3,
        closed=False,
    )
