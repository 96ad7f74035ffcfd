"""Every stop and take-profit type, on both sides, at its boundary: a stop price the last price
already reaches (equal included) is refused as WOULD_TRIGGER_IMMEDIATELY, one tick short of it
is accepted, and a waiting stop triggers exactly when the last price reaches its stop price."""

from __future__ import annotations

import pytest

from paperex.domain import OrderType, RejectReason, Side
from paperex.domain.events import Event, OrderAccepted, OrderRejected, OrderTriggered
from paperex.engine import MatchingEngine
from tests.support.engine import ALICE, make_engine, of_type, only, place, trade_at

LAST_PRICE = 100
RISES, FALLS = 1, -1
"""The way the last price moves (in ticks) to reach the stop."""
STOPS = [
    (OrderType.STOP_LOSS, Side.BUY, RISES),
    (OrderType.STOP_LOSS, Side.SELL, FALLS),
    (OrderType.STOP_LOSS_LIMIT, Side.BUY, RISES),
    (OrderType.STOP_LOSS_LIMIT, Side.SELL, FALLS),
    (OrderType.TAKE_PROFIT, Side.BUY, FALLS),
    (OrderType.TAKE_PROFIT, Side.SELL, RISES),
    (OrderType.TAKE_PROFIT_LIMIT, Side.BUY, FALLS),
    (OrderType.TAKE_PROFIT_LIMIT, Side.SELL, RISES),
]


def place_stop(
    engine: MatchingEngine, order_type: OrderType, side: Side, stop_price: int
) -> list[Event]:
    """ALICE's one-lot stop; a limit type is limited at its stop price."""
    limit = stop_price if order_type.has_limit_price else None
    return place(engine, ALICE, side, limit, 1, order_type=order_type, stop_price=stop_price)


def test_the_table_holds_every_stop_type_on_both_sides() -> None:
    assert {(order_type, side) for order_type, side, _ in STOPS} == {
        (order_type, side) for order_type in OrderType if order_type.is_stop for side in Side
    }


@pytest.mark.parametrize(("order_type", "side", "direction"), STOPS)
@pytest.mark.parametrize(
    ("ticks_to_stop", "accepted"),
    [(-1, False), (0, False), (1, True)],
    ids=["stop-already-passed", "stop-at-last-price", "stop-one-tick-away"],
)
def test_a_stop_the_last_price_reaches_is_refused_and_one_tick_short_is_accepted(
    order_type: OrderType, side: Side, direction: int, ticks_to_stop: int, accepted: bool
) -> None:
    engine = make_engine()
    trade_at(engine, LAST_PRICE)
    events = place_stop(engine, order_type, side, LAST_PRICE + direction * ticks_to_stop)
    if accepted:
        only(events, OrderAccepted)
        assert not of_type(events, OrderRejected)
    else:
        assert only(events, OrderRejected).reason is RejectReason.WOULD_TRIGGER_IMMEDIATELY
        assert not of_type(events, OrderAccepted)


@pytest.mark.parametrize(("order_type", "side", "direction"), STOPS)
def test_a_waiting_stop_triggers_when_the_last_price_reaches_its_stop_price_not_before(
    order_type: OrderType, side: Side, direction: int
) -> None:
    engine = make_engine()
    trade_at(engine, LAST_PRICE)
    stop_price = LAST_PRICE + 2 * direction
    order_id = only(place_stop(engine, order_type, side, stop_price), OrderAccepted).order_id
    assert not of_type(trade_at(engine, stop_price - direction), OrderTriggered)
    assert only(trade_at(engine, stop_price), OrderTriggered).order_id == order_id
