"""The engine's state as plain records: what a durable host persists and restores from."""

from __future__ import annotations

import msgspec

from paperex.domain.records import BalanceRecord, OpenOrder


class EngineSnapshot(msgspec.Struct, frozen=True, kw_only=True):
    """Open orders, balances, last prices and the id counters.

    A host that keeps orders and balances current from events can build one from its database;
    counters lower than the restored orders' ids are raised to follow them.
    """

    open_orders: tuple[OpenOrder, ...] = ()
    balances: tuple[BalanceRecord, ...] = ()
    last_prices: tuple[tuple[str, int], ...] = ()
    next_order_id: int = 1
    next_trade_id: int = 1
    next_entry_id: int = 1
    next_priority: int = 1
