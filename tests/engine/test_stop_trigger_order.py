"""Stops that one price move triggers together run in time priority (the order they were
placed), whatever their stop prices: the first placed is the first to trade."""

from __future__ import annotations

import pytest

from paperex.domain import OrderType, Side
from paperex.domain.events import OrderAccepted, OrderFilled, OrderTriggered
from tests.support.engine import ALICE, BOB, make_engine, of_type, only, place, trade_at


@pytest.mark.parametrize(
    ("side", "stop_prices", "limit", "move_to"),
    [
        # Placement order differs from stop-price order both ways, with a tie at 103.
        (Side.BUY, (103, 101, 102, 103), 110, 105),
        (Side.SELL, (97, 99, 98, 97), 90, 95),
    ],
    ids=["rising", "falling"],
)
def test_stops_triggered_by_one_move_trigger_and_trade_in_the_order_they_were_placed(
    side: Side, stop_prices: tuple[int, ...], limit: int, move_to: int
) -> None:
    engine = make_engine()
    trade_at(engine, 100)
    placed = [
        only(
            place(
                engine,
                ALICE,
                side,
                limit,
                1,
                order_type=OrderType.STOP_LOSS_LIMIT,
                stop_price=stop_price,
            ),
            OrderAccepted,
        ).order_id
        for stop_price in stop_prices
    ]
    # One lot at the stops' limit: only the stop that runs first can take it.
    place(engine, BOB, side.opposite, limit, 1)

    events = trade_at(engine, move_to)

    triggered = of_type(events, OrderTriggered)
    assert [event.order_id for event in triggered] == placed
    priorities = [event.priority for event in triggered]
    assert priorities == sorted(priorities)
    alice_fills = [fill.order_id for fill in of_type(events, OrderFilled) if fill.user_id == ALICE]
    assert alice_fills == [placed[0]]
