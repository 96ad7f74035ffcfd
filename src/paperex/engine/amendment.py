"""AmendOrder: change a resting order's price and/or quantity in place (cancel-replace).

Lowering only the quantity keeps time priority. A new price or a larger quantity takes a new
priority at the back of the (new) level; a new price that crosses matches like a new order.
The lock follows the new remaining quantity (and price, for buys) before anything moves.
"""

from __future__ import annotations

from paperex.domain.commands import AmendOrder
from paperex.domain.orders import RejectReason
from paperex.engine.constants import (
    INSUFFICIENT_BALANCE,
    INSUFFICIENT_BALANCE_MESSAGE,
    LIMIT_MAKER,
    LOT_SIZE,
    MARKET_NOT_READY,
    MARKET_NOT_READY_MESSAGE,
    NOTIONAL,
    ORDER_NOT_AMENDABLE,
    PERCENT_PRICE_BY_SIDE,
    PERCENT_PRICE_MESSAGE,
    PRICE_FILTER,
    UNKNOWN_ORDER,
    UNKNOWN_ORDER_MESSAGE,
    WOULD_MATCH_IMMEDIATELY,
    WOULD_MATCH_MESSAGE,
)
from paperex.engine.event_types import AMEND_REJECTED, ORDER_AMENDED
from paperex.engine.lifecycle import queue_ahead
from paperex.engine.liquidity import crosses
from paperex.engine.order import WorkingOrder
from paperex.engine.price_band import in_price_band
from paperex.engine.state import EngineState
from paperex.engine.stop_triggers import execute_then_trigger_stops


def amend(state: EngineState, command: AmendOrder) -> None:
    """Apply ``command`` (OrderAmended, lock changes, maybe fills) or emit its AmendRejected."""
    order = state.find_order(command)
    if order is None:
        reject_amend(state, command, UNKNOWN_ORDER, UNKNOWN_ORDER_MESSAGE)
        return
    if not order.is_resting:
        reject_amend(
            state,
            command,
            ORDER_NOT_AMENDABLE,
            "Only limit orders resting in the book can be amended.",
        )
        return
    market = state.markets[order.symbol]
    old_price = order.price
    new_price = command.new_price
    if new_price is None:
        new_price = old_price
    elif new_price <= 0:
        reject_amend(state, command, PRICE_FILTER, "Filter failure: PRICE_FILTER.")
        return
    elif new_price != old_price and not in_price_band(market, order.is_buy, new_price):
        reject_amend(state, command, PERCENT_PRICE_BY_SIDE, PERCENT_PRICE_MESSAGE)
        return
    new_quantity = command.new_quantity
    filled = order.filled
    if new_quantity is None:
        new_quantity = order.quantity
    elif new_quantity <= filled:
        reject_amend(
            state,
            command,
            LOT_SIZE,
            "Filter failure: LOT_SIZE (new quantity must exceed the filled quantity).",
        )
        return
    per_lot = market.quote_units_per_tick_lot
    minimum = market.min_notional_units
    if minimum and new_price * new_quantity * per_lot < minimum:
        reject_amend(state, command, NOTIONAL, "Filter failure: NOTIONAL.")
        return
    is_buy = order.is_buy
    new_remaining = new_quantity - filled
    if is_buy:
        new_lock = new_price * new_remaining * per_lot
    else:
        new_lock = new_remaining * market.base_units_per_lot
    extra = new_lock - order.locked
    lock_balance = order.lock_balance
    if extra > lock_balance.free:
        reject_amend(state, command, INSUFFICIENT_BALANCE, INSUFFICIENT_BALANCE_MESSAGE)
        return
    accounts = state.accounts
    if new_price == old_price:
        if new_quantity <= order.quantity:
            order.quantity = new_quantity
            order.remaining = new_remaining
            order.locked = new_lock
            _report_amended(state, order, True)
            if extra:
                accounts.release(lock_balance, -extra, order.order_id)
            return
        takes = False
    else:
        if is_buy:
            opposite = market.asks.prices
            takes = bool(opposite) and opposite[0] <= new_price
        else:
            opposite = market.bids.prices
            takes = bool(opposite) and opposite[-1] >= new_price
        if not takes and market.reference is not None:
            takes = crosses(market, is_buy, new_price)
        if takes and order.order_type is LIMIT_MAKER:
            reject_amend(state, command, WOULD_MATCH_IMMEDIATELY, WOULD_MATCH_MESSAGE)
            return
        if takes and not market.ready:
            reject_amend(state, command, MARKET_NOT_READY, MARKET_NOT_READY_MESSAGE)
            return
    order.quantity = new_quantity
    order.locked = new_lock
    order.priority = state.take_priority()
    if extra > 0:
        accounts.lock(lock_balance, extra, order.order_id)
    elif extra:
        accounts.release(lock_balance, -extra, order.order_id)
    book = market.bids if is_buy else market.asks
    if not takes:
        book.move(order, new_price, new_remaining)
        if market.reference is not None:
            order.queue_ahead = queue_ahead(market, is_buy, new_price)
        _report_amended(state, order, False)
        return
    book.remove(order)
    order.is_resting = False
    order.price = new_price
    order.remaining = new_remaining
    order.queue_ahead = 0
    _report_amended(state, order, False)
    execute_then_trigger_stops(state, market, order)


def reject_amend(
    state: EngineState, command: AmendOrder, reason: RejectReason, message: str
) -> None:
    """Emit the AmendRejected for ``command``; the order is unchanged."""
    state.events.append(
        AMEND_REJECTED(
            timestamp=state.timestamp,
            user_id=command.user_id,
            symbol=command.symbol,
            order_id=command.order_id,
            client_order_id=command.client_order_id,
            reason=reason,
            message=message,
        )
    )


def _report_amended(state: EngineState, order: WorkingOrder, kept_priority: bool) -> None:
    state.events.append(
        ORDER_AMENDED(
            timestamp=state.timestamp,
            order_id=order.order_id,
            user_id=order.user_id,
            symbol=order.symbol,
            price=order.price,
            quantity=order.quantity,
            filled=order.filled,
            locked=order.locked,
            priority=order.priority,
            queue_ahead=order.queue_ahead,
            kept_priority=kept_priority,
        )
    )
