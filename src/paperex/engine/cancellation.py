"""CancelOrder and CancelAllOrders: a user ends their own open orders."""

from __future__ import annotations

from paperex.domain.commands import CancelAllOrders, CancelOrder
from paperex.engine.constants import UNKNOWN_ORDER, UNKNOWN_ORDER_MESSAGE
from paperex.engine.event_types import CANCEL_REJECTED
from paperex.engine.lifecycle import cancel_open_order
from paperex.engine.order import WorkingOrder
from paperex.engine.state import EngineState


def cancel(state: EngineState, command: CancelOrder) -> None:
    """Cancel the named order (OrderCanceled, its lock released), or emit CancelRejected."""
    order = state.find_order(command)
    if order is None:
        state.events.append(
            CANCEL_REJECTED(
                timestamp=state.timestamp,
                user_id=command.user_id,
                symbol=command.symbol,
                order_id=command.order_id,
                client_order_id=command.client_order_id,
                reason=UNKNOWN_ORDER,
                message=UNKNOWN_ORDER_MESSAGE,
            )
        )
        return
    cancel_open_order(state, state.markets[order.symbol], order)


def cancel_all(state: EngineState, command: CancelAllOrders) -> None:
    """Cancel every open order of the user (in one market, or all when ``symbol`` is None),
    oldest order id first; nothing happens when there is none."""
    client_orders = state.client_orders.get(command.user_id)
    if not client_orders:
        return
    symbol = command.symbol
    for order in sorted(client_orders.values(), key=by_order_id):
        if symbol is None or order.symbol == symbol:
            cancel_open_order(state, state.markets[order.symbol], order)


def by_order_id(order: WorkingOrder) -> int:
    """Sort key: the order id."""
    return order.order_id
