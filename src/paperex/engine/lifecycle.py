"""Putting an order in the book and taking it out for good: rest, expire, cancel, close."""

from __future__ import annotations

from paperex.domain.orders import ExpiryReason
from paperex.engine.constants import CANCELED, EXPIRED
from paperex.engine.event_types import ORDER_CANCELED, ORDER_EXPIRED
from paperex.engine.market import EngineMarket
from paperex.engine.order import WorkingOrder
from paperex.engine.state import EngineState


def queue_ahead(market: EngineMarket, is_buy: bool, price: int) -> int:
    """The reference quantity resting at ``price`` on the order's side (0 when not paper)."""
    reference = market.reference
    if reference is None:
        return 0
    return (reference.bids if is_buy else reference.asks).quantities.get(price, 0)


def rest(market: EngineMarket, order: WorkingOrder) -> None:
    """Append ``order`` to its level; in a paper market it queues behind the reference."""
    (market.bids if order.is_buy else market.asks).add(order)
    order.is_resting = True
    if market.reference is not None:
        order.queue_ahead = queue_ahead(market, order.is_buy, order.price)


def close(state: EngineState, order: WorkingOrder) -> None:
    """Forget a finished order and release whatever it still holds."""
    del state.orders[order.order_id]
    del state.client_orders[order.user_id][order.client_order_id]
    locked = order.locked
    if locked:
        order.locked = 0
        state.accounts.release(order.lock_balance, locked, order.order_id)


def take_off_book(market: EngineMarket, order: WorkingOrder) -> None:
    """Remove ``order`` from its book side or from the stops of ``market``, wherever it waits."""
    if order.is_resting:
        (market.bids if order.is_buy else market.asks).remove(order)
        order.is_resting = False
    elif order.is_stop and not order.triggered:
        market.stops.remove(order)


def expire(
    state: EngineState, market: EngineMarket, order: WorkingOrder, reason: ExpiryReason
) -> None:
    """End ``order`` of ``market`` on the engine's initiative (OrderExpired) and release its
    funds."""
    take_off_book(market, order)
    order.status = EXPIRED
    state.events.append(
        ORDER_EXPIRED(
            timestamp=state.timestamp,
            order_id=order.order_id,
            user_id=order.user_id,
            symbol=market.symbol,
            client_order_id=order.client_order_id,
            filled=order.filled,
            reason=reason,
        )
    )
    close(state, order)


def cancel_open_order(state: EngineState, market: EngineMarket, order: WorkingOrder) -> None:
    """End ``order`` of ``market`` at its user's request (OrderCanceled) and release its
    funds."""
    take_off_book(market, order)
    order.status = CANCELED
    state.events.append(
        ORDER_CANCELED(
            timestamp=state.timestamp,
            order_id=order.order_id,
            user_id=order.user_id,
            symbol=market.symbol,
            client_order_id=order.client_order_id,
            filled=order.filled,
        )
    )
    close(state, order)
