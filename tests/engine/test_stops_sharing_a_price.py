"""Stops that share a stop price: each is kept, a canceled one leaves the others waiting, and a
price that reaches them triggers them all in the order they arrived."""

from __future__ import annotations

from paperex.domain import OrderType, Side
from paperex.domain.events import OrderTriggered
from tests.support.engine import (
    ALICE,
    BOB,
    CAROL,
    SYMBOL,
    cancel,
    make_engine,
    of_type,
    place,
    trade_at,
)

SELL = Side.SELL
STOP_LOSS = OrderType.STOP_LOSS


def test_stops_at_one_price_trigger_together_in_arrival_order_and_a_canceled_one_does_not() -> None:
    engine = make_engine()
    trade_at(engine, 100)  # orders 1 and 2
    for user_id in (ALICE, BOB, CAROL):
        place(engine, user_id, SELL, None, 1, order_type=STOP_LOSS, stop_price=95)  # orders 3-5
    cancel(engine, BOB, 4)
    triggered = of_type(trade_at(engine, 95), OrderTriggered)
    assert [
        (event.order_id, event.user_id, event.symbol, event.last_price) for event in triggered
    ] == [
        (3, ALICE, SYMBOL, 95),
        (5, CAROL, SYMBOL, 95),
    ]
    assert triggered[0].priority < triggered[1].priority
    assert {event.timestamp for event in triggered} == {1}
