"""PlaceOrder: check, lock what the order may spend, accept, then match, rest or wait as a stop."""

from __future__ import annotations

from paperex.domain.commands import PlaceOrder
from paperex.domain.orders import RejectReason, SelfTradePrevention
from paperex.engine.constants import (
    DUPLICATE_CLIENT_ORDER_ID,
    GTC,
    INSUFFICIENT_BALANCE,
    INSUFFICIENT_BALANCE_MESSAGE,
    LIMIT,
    LIMIT_MAKER,
    MARKET,
    MARKET_NOT_READY,
    MARKET_NOT_READY_MESSAGE,
    STOP_TYPES,
    UNKNOWN_SYMBOL,
    WOULD_MATCH_IMMEDIATELY,
    WOULD_MATCH_MESSAGE,
    WOULD_TRIGGER_IMMEDIATELY,
)
from paperex.engine.event_types import ORDER_ACCEPTED, ORDER_REJECTED
from paperex.engine.filters import Rejection, check_place_order
from paperex.engine.lifecycle import queue_ahead
from paperex.engine.liquidity import crosses, walk_liquidity
from paperex.engine.market import EngineMarket
from paperex.engine.order import WorkingOrder
from paperex.engine.order_request import OrderRequest
from paperex.engine.price_band import taker_limit
from paperex.engine.state import EngineState
from paperex.engine.stop_triggers import execute_then_trigger_stops
from paperex.engine.stops import stop_reached

UNLIMITED = 1 << 62
"""A quantity no order reaches: the cap of a walk that is limited by quote only."""


def place(state: EngineState, command: PlaceOrder) -> None:
    """Accept ``command`` as a new order (OrderAccepted, then its lock) and let it match, rest
    or wait for its stop price; or emit the OrderRejected of the first rule it breaks."""
    market = state.markets.get(command.symbol)
    if market is None:
        reject_place(state, command, UNKNOWN_SYMBOL, "Invalid symbol.")
        return
    request = OrderRequest(command)
    rejection = check_place_order(market, request) or _check_against_state(state, market, request)
    if rejection is not None:
        reject_place(state, command, *rejection)
        return
    user_id = request.user_id
    is_buy = request.is_buy
    stp = request.self_trade_prevention or market.spec.default_self_trade_prevention
    lock_balance, receive_balance = state.lock_and_receive_balances(user_id, market, is_buy)
    quantity, lock, needed = _quantity_lock_and_need(market, request, stp)
    if lock_balance.free < needed:
        reject_place(state, command, INSUFFICIENT_BALANCE, INSUFFICIENT_BALANCE_MESSAGE)
        return
    order_id = state.next_order_id
    state.next_order_id = order_id + 1
    order_type = request.order_type
    price = request.price or 0
    client_order_id = request.client_order_id
    if client_order_id is None:
        client_order_id = f"paperex-{order_id}"
    order = WorkingOrder(
        order_id=order_id,
        user_id=user_id,
        symbol=market.symbol,
        client_order_id=client_order_id,
        side=request.side,
        order_type=order_type,
        time_in_force=GTC if order_type is LIMIT_MAKER else request.time_in_force,
        price=price,
        stop_price=request.stop_price,
        quantity=quantity,
        quote_amount=request.quote_amount,
        self_trade_prevention=stp,
        lock_balance=lock_balance,
        receive_balance=receive_balance,
        priority=state.take_priority(),
        created_at=state.timestamp,
    )
    order.locked = lock
    state.add_order(order)
    state.events.append(
        ORDER_ACCEPTED(
            timestamp=state.timestamp,
            order_id=order_id,
            user_id=user_id,
            symbol=market.symbol,
            client_order_id=client_order_id,
            side=order.side,
            order_type=order_type,
            time_in_force=order.time_in_force,
            price=price or None,
            stop_price=order.stop_price,
            quantity=quantity,
            quote_amount=order.quote_amount,
            self_trade_prevention=stp,
            locked_asset=lock_balance.asset,
            locked=lock,
            priority=order.priority,
            queue_ahead=queue_ahead(market, is_buy, price) if price else 0,
        )
    )
    state.accounts.lock(lock_balance, lock, order_id)
    if order.is_stop:
        market.stops.add(order)
    else:
        execute_then_trigger_stops(state, market, order)


def reject_place(
    state: EngineState, command: PlaceOrder, reason: RejectReason, message: str
) -> None:
    """Emit the OrderRejected for ``command``; nothing else changes."""
    state.events.append(
        ORDER_REJECTED(
            timestamp=state.timestamp,
            user_id=command.user_id,
            symbol=command.symbol,
            client_order_id=command.client_order_id,
            reason=reason,
            message=message,
        )
    )


def _check_against_state(
    state: EngineState, market: EngineMarket, request: OrderRequest
) -> Rejection | None:
    """The first rule that depends on open orders and prices: a client order id already in
    use, a stop the last price already reaches, a post-only order that would take, an order
    that would take liquidity from a market that is not ready."""
    client_order_id = request.client_order_id
    if client_order_id is not None:
        client_orders = state.client_orders.get(request.user_id)
        if client_orders and client_order_id in client_orders:
            return DUPLICATE_CLIENT_ORDER_ID, "Duplicate order sent."
    order_type = request.order_type
    is_buy = request.is_buy
    last_price = market.last_price
    if order_type in STOP_TYPES and last_price is not None:
        stop_price = request.stop_price
        assert stop_price is not None
        if stop_reached(is_buy, order_type, stop_price, last_price):
            return WOULD_TRIGGER_IMMEDIATELY, "Stop price would trigger immediately."
    if order_type is LIMIT_MAKER and crosses(market, is_buy, request.price or 0):
        return WOULD_MATCH_IMMEDIATELY, WOULD_MATCH_MESSAGE
    if not market.ready and (
        order_type is MARKET
        or (order_type is LIMIT and crosses(market, is_buy, request.price or 0))
    ):
        return MARKET_NOT_READY, MARKET_NOT_READY_MESSAGE
    return None


def _quantity_lock_and_need(
    market: EngineMarket, request: OrderRequest, stp: SelfTradePrevention
) -> tuple[int, int, int]:
    """(quantity in lots, units to lock, free units the user must have) for a new order.

    Buys lock quote: the notional at the limit price, what the book would cost a MARKET order
    within its price band (which by ``quote_amount`` needs that amount free), or the stop
    price's notional plus the market's headroom for a stop-market. Sells lock their base
    quantity; a MARKET sell by ``quote_amount`` sells what the book buys for that amount
    within the band.
    """
    user_id = request.user_id
    is_buy = request.is_buy
    quantity = request.quantity or 0
    quote_amount = request.quote_amount
    if request.order_type is MARKET:
        band_edge = taker_limit(market, is_buy, 0)
        if quote_amount is not None:
            quantity, cost = walk_liquidity(
                market, user_id, is_buy, band_edge, stp, UNLIMITED, quote_amount
            )
            if is_buy:
                return quantity, cost, quote_amount
        elif is_buy:
            lock = walk_liquidity(market, user_id, True, band_edge, stp, quantity, None)[1]
            return quantity, lock, lock
    if not is_buy:
        lock = quantity * market.base_units_per_lot
        return quantity, lock, lock
    if request.price:
        lock = market.notional(request.price, quantity)
        return quantity, lock, lock
    stop_price = request.stop_price
    assert stop_price is not None
    numerator, denominator = market.headroom
    lock = -(-market.notional(stop_price, quantity) * (denominator + numerator) // denominator)
    return quantity, lock, lock
