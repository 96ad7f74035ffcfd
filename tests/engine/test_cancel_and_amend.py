from __future__ import annotations

from paperex.domain import OrderType, RejectReason, Side
from paperex.domain.commands import CancelAllOrders, CancelOrder
from paperex.domain.events import (
    AmendRejected,
    CancelRejected,
    OrderAccepted,
    OrderAmended,
    OrderCanceled,
    TradeExecuted,
)
from tests.support.engine import (
    ALICE,
    BOB,
    CAROL,
    SYMBOL,
    amend,
    cancel,
    free_and_locked,
    make_engine,
    of_type,
    only,
    place,
)

BUY, SELL = Side.BUY, Side.SELL


def order_id(events: list[object]) -> int:
    (accepted,) = [event for event in events if isinstance(event, OrderAccepted)]
    return accepted.order_id


def test_cancel_by_client_order_id() -> None:
    engine = make_engine()
    place(engine, ALICE, BUY, 100, 1, client_order_id="a1")
    events = engine.process(
        CancelOrder(timestamp=2, user_id=ALICE, symbol=SYMBOL, client_order_id="a1")
    )
    assert only(events, OrderCanceled).client_order_id == "a1"
    assert engine.open_orders() == []


def test_a_user_cannot_cancel_another_users_order() -> None:
    engine = make_engine()
    mine = order_id(place(engine, ALICE, BUY, 100, 1))
    assert only(cancel(engine, BOB, mine), CancelRejected).reason is RejectReason.UNKNOWN_ORDER
    assert only(cancel(engine, ALICE, 999), CancelRejected).reason is RejectReason.UNKNOWN_ORDER
    assert len(engine.open_orders()) == 1


def test_a_filled_order_can_no_longer_be_canceled() -> None:
    engine = make_engine()
    mine = order_id(place(engine, ALICE, SELL, 100, 1))
    place(engine, BOB, BUY, 100, 1)
    assert only(cancel(engine, ALICE, mine), CancelRejected).reason is RejectReason.UNKNOWN_ORDER


def test_cancel_all_cancels_only_that_users_orders() -> None:
    engine = make_engine()
    place(engine, ALICE, BUY, 100, 1)
    place(engine, ALICE, SELL, 110, 1)
    place(engine, BOB, BUY, 100, 1)
    events = engine.process(CancelAllOrders(timestamp=2, user_id=ALICE, symbol=SYMBOL))
    assert len(of_type(events, OrderCanceled)) == 2
    assert [order.user_id for order in engine.open_orders()] == [BOB]
    assert free_and_locked(engine, ALICE, "USDT") == (1_000_000, 0)


def test_reducing_quantity_keeps_time_priority() -> None:
    engine = make_engine()
    first = order_id(place(engine, ALICE, SELL, 100, 5))
    order_id(place(engine, CAROL, SELL, 100, 5))
    amended = only(amend(engine, ALICE, first, quantity=3), OrderAmended)
    assert amended.kept_priority
    assert free_and_locked(engine, ALICE, "BTC") == (1_000_000 - 3, 3)
    assert engine.depth(SYMBOL)[1] == [(100, 8)]
    trade = only(place(engine, BOB, BUY, 100, 1), TradeExecuted)
    assert trade.maker_order_id == first


def test_changing_price_loses_time_priority() -> None:
    engine = make_engine()
    first = order_id(place(engine, ALICE, SELL, 101, 5))
    second = order_id(place(engine, CAROL, SELL, 100, 5))
    assert not only(amend(engine, ALICE, first, price=100), OrderAmended).kept_priority
    trade = only(place(engine, BOB, BUY, 100, 1), TradeExecuted)
    assert trade.maker_order_id == second


def test_increasing_quantity_loses_time_priority() -> None:
    engine = make_engine()
    first = order_id(place(engine, ALICE, SELL, 100, 5))
    second = order_id(place(engine, CAROL, SELL, 100, 5))
    assert not only(amend(engine, ALICE, first, quantity=6), OrderAmended).kept_priority
    assert only(place(engine, BOB, BUY, 100, 1), TradeExecuted).maker_order_id == second


def test_moving_a_buy_relocks_the_difference() -> None:
    engine = make_engine()
    mine = order_id(place(engine, ALICE, BUY, 100, 5))
    amend(engine, ALICE, mine, price=90)
    assert free_and_locked(engine, ALICE, "USDT") == (1_000_000 - 450, 450)
    amend(engine, ALICE, mine, price=120, quantity=2)
    assert free_and_locked(engine, ALICE, "USDT") == (1_000_000 - 240, 240)


def test_an_amend_that_crosses_trades_like_a_new_order() -> None:
    engine = make_engine()
    place(engine, ALICE, SELL, 105, 2)
    mine = order_id(place(engine, BOB, BUY, 100, 5))
    events = amend(engine, BOB, mine, price=106)
    assert only(events, TradeExecuted).price == 105
    assert engine.depth(SYMBOL) == ([(106, 3)], [])
    assert free_and_locked(engine, BOB, "USDT") == (1_000_000 - 210 - 318, 318)


def test_an_amend_of_a_post_only_order_that_would_cross_is_rejected() -> None:
    engine = make_engine()
    place(engine, ALICE, SELL, 105, 2)
    mine = order_id(place(engine, BOB, BUY, 100, 5, order_type=OrderType.LIMIT_MAKER))
    rejected = only(amend(engine, BOB, mine, price=105), AmendRejected)
    assert rejected.reason is RejectReason.WOULD_MATCH_IMMEDIATELY
    assert engine.depth(SYMBOL) == ([(100, 5)], [(105, 2)])


def test_amend_refusals_leave_the_order_alone() -> None:
    engine = make_engine(amount=1_000)
    place(engine, ALICE, SELL, 100, 2)
    mine = order_id(place(engine, BOB, BUY, 100, 5))
    # 2 filled at once, 3 rest at 100 holding 300 of BOB's remaining 800.
    assert only(amend(engine, BOB, mine, quantity=2), AmendRejected).reason is RejectReason.LOT_SIZE
    assert (
        only(amend(engine, BOB, mine, price=0), AmendRejected).reason is RejectReason.PRICE_FILTER
    )
    rejected = only(amend(engine, BOB, mine, price=400), AmendRejected)
    assert rejected.reason is RejectReason.INSUFFICIENT_BALANCE
    assert only(amend(engine, ALICE, mine, price=90), AmendRejected).reason is (
        RejectReason.UNKNOWN_ORDER
    )
    assert engine.depth(SYMBOL) == ([(100, 3)], [])
    assert free_and_locked(engine, BOB, "USDT") == (500, 300)
