"""Stop orders come alive when the last trade price reaches their stop price."""

from __future__ import annotations

from paperex.engine.event_types import ORDER_TRIGGERED
from paperex.engine.market import EngineMarket
from paperex.engine.matching import execute
from paperex.engine.order import WorkingOrder
from paperex.engine.state import EngineState


def execute_then_trigger_stops(
    state: EngineState, market: EngineMarket, order: WorkingOrder
) -> None:
    """Match ``order`` (see ``matching.execute``); if it moved the last price, run the stops."""
    last_price = market.last_price
    execute(state, market, order)
    if market.last_price != last_price:
        trigger_stops(state, market)


def trigger_stops(state: EngineState, market: EngineMarket) -> None:
    """Trigger every stop the last price reaches, again after each triggered order traded.

    Triggered orders get a new priority and an OrderTriggered, then match like new orders.
    Nothing triggers while the market is not ready: the stops wait for its reference market.
    """
    if not market.ready:
        return
    stops = market.stops
    while market.last_price is not None and (stops.rising_prices or stops.falling_prices):
        last_price = market.last_price
        triggered = stops.pop_triggered(last_price)
        if not triggered:
            return
        for order in triggered:
            order.triggered = True
            priority = order.priority = state.take_priority()
            state.events.append(
                ORDER_TRIGGERED(
                    timestamp=state.timestamp,
                    order_id=order.order_id,
                    user_id=order.user_id,
                    symbol=market.symbol,
                    last_price=market.last_price,
                    priority=priority,
                )
            )
            execute(state, market, order)
