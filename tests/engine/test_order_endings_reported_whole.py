"""Every way an order ends is reported with its order, user, symbol and client order id, and an
order moved out of a shared price level leaves the others where they were."""

from __future__ import annotations

from paperex.domain import ExpiryReason, RejectReason, Side, TimeInForce
from paperex.domain.commands import CancelOrder
from paperex.domain.events import (
    CancelRejected,
    LedgerEntryRecorded,
    OrderCanceled,
    OrderExpired,
    OrderRejected,
    TradeExecuted,
)
from tests.support.engine import ALICE, BOB, CAROL, SYMBOL, amend, make_engine, of_type, only, place

BUY, SELL = Side.BUY, Side.SELL


def test_an_unfilled_immediate_or_cancel_order_expires_with_its_names() -> None:
    engine = make_engine()
    events = place(
        engine,
        ALICE,
        BUY,
        100,
        2,
        time_in_force=TimeInForce.IOC,
        timestamp=7,
        client_order_id="ioc",
    )
    assert only(events, OrderExpired) == OrderExpired(
        timestamp=7,
        order_id=1,
        user_id=ALICE,
        symbol=SYMBOL,
        client_order_id="ioc",
        filled=0,
        reason=ExpiryReason.TIME_IN_FORCE,
    )


def test_a_refused_order_is_reported_with_its_names() -> None:
    engine = make_engine()
    events = place(engine, ALICE, BUY, 100, 0, timestamp=7, client_order_id="zero")
    rejected = only(events, OrderRejected)
    assert (rejected.timestamp, rejected.user_id, rejected.symbol, rejected.client_order_id) == (
        7,
        ALICE,
        SYMBOL,
        "zero",
    )
    assert rejected.reason is RejectReason.LOT_SIZE


def test_a_cancel_reports_the_order_releases_its_lock_and_an_unknown_one_is_refused() -> None:
    engine = make_engine()
    place(engine, ALICE, BUY, 100, 2, client_order_id="mine")
    open_record = engine.order(1)
    assert open_record is not None
    assert (open_record.order_id, open_record.client_order_id) == (1, "mine")
    canceled = engine.process(CancelOrder(timestamp=8, user_id=ALICE, symbol=SYMBOL, order_id=1))
    assert only(canceled, OrderCanceled) == OrderCanceled(
        timestamp=8, order_id=1, user_id=ALICE, symbol=SYMBOL, client_order_id="mine", filled=0
    )
    assert engine.order(1) is None
    releases = of_type(canceled, LedgerEntryRecorded)
    assert [(entry.asset, entry.amount, entry.order_id) for entry in releases] == [("USDT", 200, 1)]
    refused = engine.process(CancelOrder(timestamp=9, user_id=BOB, symbol=SYMBOL, order_id=1))
    assert refused == [
        CancelRejected(
            timestamp=9,
            user_id=BOB,
            symbol=SYMBOL,
            order_id=1,
            client_order_id=None,
            reason=RejectReason.UNKNOWN_ORDER,
            message="Unknown order sent.",
        )
    ]


def test_an_order_moved_out_of_a_shared_level_leaves_the_other_in_place() -> None:
    engine = make_engine()
    place(engine, ALICE, BUY, 100, 1)
    place(engine, BOB, BUY, 100, 1)
    amend(engine, ALICE, 1, price=101)
    assert engine.depth(SYMBOL)[0] == [(101, 1), (100, 1)]
    trades = of_type(place(engine, CAROL, SELL, 100, 2), TradeExecuted)
    assert [(t.price, t.maker_order_id) for t in trades] == [(101, 1), (100, 2)]
