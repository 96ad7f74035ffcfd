"""Persisted state the engine is rebuilt from: open orders and balances."""

from __future__ import annotations

import msgspec

from paperex.domain.orders import OrderStatus, OrderType, SelfTradePrevention, TimeInForce
from paperex.domain.side import Side


class OpenOrder(msgspec.Struct, frozen=True, kw_only=True):
    """An order that can still trade, as the host persists it (kept current from events)."""

    order_id: int
    user_id: int
    symbol: str
    client_order_id: str
    side: Side
    order_type: OrderType
    time_in_force: TimeInForce
    price: int | None
    stop_price: int | None
    quantity: int
    quote_amount: int | None
    filled: int
    executed_quote: int
    locked: int
    self_trade_prevention: SelfTradePrevention
    priority: int
    queue_ahead: int = 0
    triggered: bool = False
    status: OrderStatus = OrderStatus.NEW
    created_at: int = 0


class BalanceRecord(msgspec.Struct, frozen=True, kw_only=True):
    """A user's balance of one asset, in the asset's smallest units."""

    user_id: int
    asset: str
    free: int
    locked: int
