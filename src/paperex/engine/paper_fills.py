"""Paper markets: how the reference feed moves resting user orders through their queues."""

from __future__ import annotations

from collections.abc import Iterable

from paperex.engine.book import BookSide
from paperex.engine.order import WorkingOrder


def shorten_queues(
    book: BookSide, reference_quantities: dict[int, int], changed: Iterable[tuple[int, int]] | None
) -> None:
    """Cap each resting order's ``queue_ahead`` at what its reference level now holds.

    Reference quantity that left a level was ahead of (or behind) our orders; nobody can
    still be ahead of them by more than the level holds. ``changed`` None means every level.
    Returns nothing; mutates the orders.
    """
    prices = book.levels.keys() if changed is None else [price for price, _ in changed]
    for price in prices:
        level = book.levels.get(price)
        if level is None:
            continue
        at_level = reference_quantities.get(price, 0)
        for order in level.values():
            if order.queue_ahead > at_level:
                order.queue_ahead = at_level


def reference_trade_fills(
    book: BookSide, trade_price: int, volume: int
) -> list[tuple[WorkingOrder, int]]:
    """(order, quantity) pairs: which resting orders a reference trade fills and by how much.

    Orders priced through the trade (bids above it, asks below it) fill first, best price and
    then time first; at the trade's own price the trade first works off each order's
    ``queue_ahead`` and only what is left fills it. The trade's volume is shared, never
    counted twice.
    """
    at_price = book.levels.get(trade_price)
    fillable_at_price: dict[int, int] = {}
    if at_price is not None:
        for order in at_price.values():
            fillable_at_price[order.order_id] = max(0, volume - order.queue_ahead)
            order.queue_ahead = max(0, order.queue_ahead - volume)
    fills: list[tuple[WorkingOrder, int]] = []
    budget = volume
    for price, level in book.levels_best_first():
        if (price < trade_price) if book.is_bid else (price > trade_price):
            break
        through = price != trade_price
        for order in level.values():
            if through:
                order.queue_ahead = 0
            fillable = order.remaining if through else fillable_at_price[order.order_id]
            quantity = min(fillable, order.remaining, budget)
            if quantity:
                fills.append((order, quantity))
                budget -= quantity
            if not budget:
                return fills
    return fills
