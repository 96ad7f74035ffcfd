"""Paper markets: the reference feed's book and trades, and how its trades fill resting orders.

A marketable order takes reference liquidity in ``matching``; here a resting user order waits
behind the reference quantity that was at its price when it arrived (``queue_ahead``) and
fills when reference trades print at or through its price.
"""

from __future__ import annotations

from collections.abc import Iterable

from paperex.domain.commands import RecordReferenceTrade, UpdateReferenceBook
from paperex.engine.book import BookSide
from paperex.engine.order import WorkingOrder
from paperex.engine.settlement import fill
from paperex.engine.state import EngineState
from paperex.engine.stop_triggers import trigger_stops


def update_reference_book(state: EngineState, command: UpdateReferenceBook) -> None:
    """Apply a reference book snapshot or delta; resting orders' queues can only shorten. The
    first snapshot since the engine started may make the market ready (and run its stops).

    Ignored for an unknown or non-paper market.
    """
    market = state.markets.get(command.symbol)
    if market is None or market.reference is None:
        return
    reference = market.reference
    reference.apply(command.bids, command.asks, is_snapshot=command.is_snapshot)
    if command.is_snapshot:
        shorten_queues(market.bids, reference.bids.quantities, None)
        shorten_queues(market.asks, reference.asks.quantities, None)
        if market.awaits_reference_book:
            market.awaits_reference_book = False
            trigger_stops(state, market)
    else:
        shorten_queues(market.bids, reference.bids.quantities, command.bids)
        shorten_queues(market.asks, reference.asks.quantities, command.asks)


def record_reference_trade(state: EngineState, command: RecordReferenceTrade) -> None:
    """Fill the resting orders a reference trade reaches (maker: the user order, taker: the
    reference), set the last price and the reference price, run the stops it triggers. The
    first trade since the engine started may make the market ready.

    Ignored for an unknown or non-paper market and for a non-positive price or quantity.
    """
    market = state.markets.get(command.symbol)
    if market is None or market.reference is None:
        return
    if command.price <= 0 or command.quantity <= 0:
        return
    last_price = market.last_price
    for book in (market.bids, market.asks):
        for order, quantity in reference_trade_fills(book, command.price, command.quantity):
            fill(state, market, None, order, not order.is_buy, order.price, quantity)
    market.last_price = market.last_reference_price = command.price
    market.awaits_reference_trade = False
    if market.last_price != last_price:
        trigger_stops(state, market)


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
        for order in level:
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
        for order in at_price:
            fillable_at_price[order.order_id] = max(0, volume - order.queue_ahead)
            order.queue_ahead = max(0, order.queue_ahead - volume)
    fills: list[tuple[WorkingOrder, int]] = []
    budget = volume
    for price, level in book.levels_best_first():
        if (price < trade_price) if book.is_bid else (price > trade_price):
            break
        through = price != trade_price
        for order in level:
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
