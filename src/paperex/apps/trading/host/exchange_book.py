"""The exchange book (the users' resting orders) per market as total lots per price, kept
incrementally.

The host tells it which orders a batch touched; it asks the engine for each one's state and
moves the differences into the levels, so a batch costs O(orders touched), not O(book). The
changed levels become the ``market.book`` deltas.
"""

from __future__ import annotations

from collections.abc import Iterable

from paperex.domain import OpenOrder, Side
from paperex.engine import MatchingEngine

Resting = tuple[str, bool, int, int]
"""(symbol, is bid, price, remaining lots) of an order resting in the book."""
LevelChanges = tuple[list[tuple[int, int]], list[tuple[int, int]]]
"""(bids, asks) of (price, new total lots); 0 means the level is gone."""


def _resting(order: OpenOrder | None) -> Resting | None:
    if order is None or order.price is None:
        return None
    if order.order_type.is_stop and not order.triggered:
        return None
    return order.symbol, order.side is Side.BUY, order.price, order.quantity - order.filled


class ExchangeBookLevels:
    """Total resting lots per (symbol, side, price), from the engine's open orders."""

    def __init__(self, engine: MatchingEngine) -> None:
        self._engine = engine
        self._orders: dict[int, Resting] = {}
        self._levels: dict[tuple[str, bool, int], int] = {}
        for order in engine.open_orders():
            self._move(order.order_id, _resting(order), None)

    def update(self, order_ids: Iterable[int]) -> dict[str, LevelChanges]:
        """Refresh these orders from the engine; the changed levels per symbol."""
        changed: set[tuple[str, bool, int]] = set()
        for order_id in order_ids:
            self._move(order_id, _resting(self._engine.order(order_id)), changed)
        result: dict[str, LevelChanges] = {}
        for symbol, is_bid, price in sorted(changed):
            bids, asks = result.setdefault(symbol, ([], []))
            (bids if is_bid else asks).append((price, self._levels.get((symbol, is_bid, price), 0)))
        return result

    def _move(
        self,
        order_id: int,
        now: Resting | None,
        changed: set[tuple[str, bool, int]] | None,
    ) -> None:
        before = self._orders.pop(order_id, None)
        if before == now:
            if now is not None:
                self._orders[order_id] = now
            return
        levels = self._levels
        if before is not None:
            key = before[:3]
            remaining = levels[key] - before[3]
            if remaining:
                levels[key] = remaining
            else:
                del levels[key]
            if changed is not None:
                changed.add(key)
        if now is not None:
            key = now[:3]
            levels[key] = levels.get(key, 0) + now[3]
            self._orders[order_id] = now
            if changed is not None:
                changed.add(key)
