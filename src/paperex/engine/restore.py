"""From an EngineSnapshot back to a running engine's state, and from the state to a snapshot."""

from __future__ import annotations

from paperex.domain.records import OpenOrder
from paperex.engine.accounts import WorkingBalance
from paperex.engine.cancellation import by_order_id
from paperex.engine.constants import BUY, MARKET, STOP_TYPES
from paperex.engine.market import EngineMarket
from paperex.engine.order import WorkingOrder
from paperex.engine.snapshot import EngineSnapshot
from paperex.engine.state import EngineState


def take_snapshot(state: EngineState) -> EngineSnapshot:
    """Open orders by id, balances by (user id, asset), last prices by symbol, id counters."""
    return EngineSnapshot(
        open_orders=tuple(
            order.record() for order in sorted(state.orders.values(), key=by_order_id)
        ),
        balances=tuple(balance.record() for _, balance in sorted(state.accounts.balances.items())),
        last_prices=tuple(
            (symbol, market.last_price)
            for symbol, market in sorted(state.markets.items())
            if market.last_price is not None
        ),
        next_order_id=state.next_order_id,
        next_trade_id=state.next_trade_id,
        next_entry_id=state.accounts.next_entry_id,
        next_priority=state.next_priority,
    )


def load_snapshot(state: EngineState, snapshot: EngineSnapshot) -> None:
    """Fill an empty ``state`` with ``snapshot``: balances, then orders in priority order.

    Raises ValueError for an unknown market or asset, an order that cannot be open, a
    duplicate order id or client order id, or locked balances that differ from what the open
    orders hold.
    """
    accounts = state.accounts
    for record in snapshot.balances:
        if record.asset not in state.assets:
            raise ValueError(f"balance in unknown asset {record.asset}")
        accounts.balances[(record.user_id, record.asset)] = WorkingBalance(
            record.user_id, record.asset, record.free, record.locked
        )
    held: dict[tuple[int, str], int] = {}
    for open_order in sorted(snapshot.open_orders, key=_by_priority):
        order = _load_order(state, open_order)
        key = (order.user_id, order.lock_balance.asset)
        held[key] = held.get(key, 0) + order.locked
    for key, balance in accounts.balances.items():
        if held.get(key, 0) != balance.locked:
            raise ValueError(
                f"user {key[0]} {key[1]}: locked {balance.locked} but open orders hold"
                f" {held.get(key, 0)}"
            )
    for key in held:
        if key not in accounts.balances and held[key]:
            raise ValueError(f"user {key[0]} {key[1]}: open orders hold funds of no balance")
    for symbol, price in snapshot.last_prices:
        _market_for(state, symbol).last_price = price
    state.next_order_id = max(
        [snapshot.next_order_id, *(order.order_id + 1 for order in snapshot.open_orders)]
    )
    state.next_priority = max(
        [snapshot.next_priority, *(order.priority + 1 for order in snapshot.open_orders)]
    )
    state.next_trade_id = snapshot.next_trade_id
    accounts.next_entry_id = snapshot.next_entry_id


def _load_order(state: EngineState, record: OpenOrder) -> WorkingOrder:
    market = _market_for(state, record.symbol)
    if not record.status.is_open or record.filled >= record.quantity:
        raise ValueError(f"order {record.order_id} is not open")
    if record.order_type is MARKET or (
        record.order_type in STOP_TYPES and record.triggered and not record.price
    ):
        raise ValueError(f"order {record.order_id}: a market order cannot be open")
    is_buy = record.side is BUY
    lock_balance, receive_balance = state.lock_and_receive_balances(record.user_id, market, is_buy)
    order = WorkingOrder(
        order_id=record.order_id,
        user_id=record.user_id,
        symbol=market.symbol,
        client_order_id=record.client_order_id,
        side=record.side,
        order_type=record.order_type,
        time_in_force=record.time_in_force,
        price=record.price or 0,
        stop_price=record.stop_price,
        quantity=record.quantity,
        quote_amount=record.quote_amount,
        self_trade_prevention=record.self_trade_prevention,
        lock_balance=lock_balance,
        receive_balance=receive_balance,
        priority=record.priority,
        created_at=record.created_at,
    )
    order.remaining = record.quantity - record.filled
    order.filled = record.filled
    order.executed_quote = record.executed_quote
    order.locked = record.locked
    order.queue_ahead = record.queue_ahead
    order.triggered = record.triggered
    order.status = record.status
    if record.order_id in state.orders:
        raise ValueError(f"order {record.order_id} appears twice")
    client_orders = state.client_orders.get(record.user_id)
    if client_orders is not None and record.client_order_id in client_orders:
        raise ValueError(f"client order id {record.client_order_id} appears twice")
    state.add_order(order)
    if order.is_stop and not record.triggered:
        market.stops.add(order)
    else:
        (market.bids if is_buy else market.asks).add(order)
        order.is_resting = True
    return order


def _market_for(state: EngineState, symbol: str) -> EngineMarket:
    market = state.markets.get(symbol)
    if market is None:
        raise ValueError(f"unknown market {symbol}")
    return market


def _by_priority(order: OpenOrder) -> int:
    return order.priority
