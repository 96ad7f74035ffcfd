"""Paper markets: crossing and fill-or-kill checks see the users' and the reference book together,
on both sides, up to the order's own price."""

from __future__ import annotations

import pytest

from paperex.domain import OrderType, RejectReason, Side, TimeInForce
from paperex.domain.events import OrderAccepted, OrderExpired, OrderRejected, TradeExecuted
from tests.support.engine import ALICE, BOB, of_type, paper_engine, place

BUY, SELL = Side.BUY, Side.SELL
LIMIT_MAKER = OrderType.LIMIT_MAKER


@pytest.mark.parametrize(
    ("side", "price", "crosses"),
    [(BUY, 104, True), (BUY, 102, False), (SELL, 96, True), (SELL, 97, True), (SELL, 98, False)],
)
def test_a_post_only_order_is_refused_when_either_book_would_fill_it(
    side: Side, price: int, crosses: bool
) -> None:
    """The reference book is better than the users' on both sides: asks 103 vs 105, bids 97 vs
    95. A buy crosses from 103 up; a sell from 97 down."""
    engine = paper_engine(bids=((97, 5),), asks=((103, 5),))
    place(engine, BOB, SELL, 105, 5)
    place(engine, BOB, BUY, 95, 5)
    events = place(engine, ALICE, side, price, 1, order_type=LIMIT_MAKER)
    rejected = of_type(events, OrderRejected)
    assert [r.reason for r in rejected] == (
        [RejectReason.WOULD_MATCH_IMMEDIATELY] if crosses else []
    )
    assert len(of_type(events, OrderAccepted)) == (0 if crosses else 1)


@pytest.mark.parametrize(("quantity", "fills"), [(6, True), (7, False)])
def test_a_fill_or_kill_sell_counts_reference_and_user_bids_down_to_its_price(
    quantity: int, fills: bool
) -> None:
    """Bids: reference 100 x 2, BOB's 99 x 2, reference 98 x 2, reference 97 x 9 (below the
    limit): six lots at 98 or better."""
    engine = paper_engine(bids=((100, 2), (98, 2), (97, 9)))
    place(engine, BOB, BUY, 99, 2)
    events = place(engine, ALICE, SELL, 98, quantity, time_in_force=TimeInForce.FOK)
    traded = sum(trade.quantity for trade in of_type(events, TradeExecuted))
    assert traded == (quantity if fills else 0)
    assert len(of_type(events, OrderExpired)) == (0 if fills else 1)
