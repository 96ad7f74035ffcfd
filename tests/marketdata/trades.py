"""A terse way to write normalized trades in aggregation tests."""

from __future__ import annotations

from decimal import Decimal

from paperex.domain import Side
from paperex.marketdata.events import Trade

T0 = 1_672_515_780_000
"""2022-12-31 19:43:00 UTC, the open of a 1m candle."""


def make_trade(
    price: str,
    quantity: str,
    time_ms: int,
    *,
    symbol: str = "BTCUSDT",
    trade_id: int = 1,
    aggressor: Side = Side.BUY,
) -> Trade:
    """A trade at ``time_ms`` (event, trade and receive time alike)."""
    return Trade(
        venue="test",
        symbol=symbol,
        event_time=time_ms,
        received_at=time_ms,
        trade_id=trade_id,
        price=Decimal(price),
        quantity=Decimal(quantity),
        trade_time=time_ms,
        aggressor=aggressor,
    )
