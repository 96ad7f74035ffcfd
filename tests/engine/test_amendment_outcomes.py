"""What an amendment reports, locks and trades, and the amendments refused with nothing changed."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from paperex.domain import Asset, Instrument, MarketSpec, OrderType, RejectReason, Side
from paperex.domain.commands import AmendOrder, Deposit
from paperex.domain.events import (
    AmendRejected,
    Event,
    LedgerEntryRecorded,
    OrderAmended,
    TradeExecuted,
)
from paperex.engine import MatchingEngine
from tests.support.engine import ALICE, BOB, SYMBOL, of_type, only, paper_engine, place

BUY, SELL = Side.BUY, Side.SELL


def cent_engine() -> MatchingEngine:
    """USDT kept to cents: one tick-lot is 100 quote units; a 5 USDT minimum notional.

    ALICE bids 10 lots at 1 (order 1, "bid"), sells 10 at 3 of which BOB took 4 (order 2),
    and has a stop-loss waiting (order 4; BOB's buy was order 3).
    """
    engine = MatchingEngine(
        assets=[Asset("BTC", 0), Asset("USDT", 2)],
        markets=[MarketSpec(Instrument(SYMBOL, "BTC", "USDT", Decimal(1), Decimal(1), Decimal(5)))],
    )
    for user_id in (ALICE, BOB):
        for asset, amount in (("BTC", 1_000), ("USDT", 1_000_000)):
            engine.process(Deposit(timestamp=0, user_id=user_id, asset=asset, amount=amount))
    place(engine, ALICE, BUY, 1, 10, client_order_id="bid")
    place(engine, ALICE, SELL, 3, 10)
    place(engine, BOB, BUY, 3, 4)
    place(engine, ALICE, SELL, None, 6, order_type=OrderType.STOP_LOSS, stop_price=1)
    return engine


def amend_as_alice(engine: MatchingEngine, **fields: Any) -> list[Event]:
    return engine.process(AmendOrder(timestamp=5, user_id=ALICE, symbol=SYMBOL, **fields))


@pytest.mark.parametrize(
    ("fields", "reason", "message"),
    [
        (
            {"client_order_id": "nope", "new_price": 2},
            RejectReason.UNKNOWN_ORDER,
            "Unknown order sent.",
        ),
        (
            {"order_id": 4, "new_quantity": 5},
            RejectReason.ORDER_NOT_AMENDABLE,
            "Only limit orders resting in the book can be amended.",
        ),
        (
            {"order_id": 1, "new_price": 0},
            RejectReason.PRICE_FILTER,
            "Filter failure: PRICE_FILTER.",
        ),
        (
            {"order_id": 2, "new_quantity": 4},
            RejectReason.LOT_SIZE,
            "Filter failure: LOT_SIZE (new quantity must exceed the filled quantity).",
        ),
        ({"order_id": 1, "new_quantity": 4}, RejectReason.NOTIONAL, "Filter failure: NOTIONAL."),
    ],
)
def test_a_refused_amendment_names_the_order_the_reason_and_changes_nothing(
    fields: dict[str, Any], reason: RejectReason, message: str
) -> None:
    engine = cent_engine()
    before = engine.snapshot()
    assert amend_as_alice(engine, **fields) == [
        AmendRejected(
            timestamp=5,
            user_id=ALICE,
            symbol=SYMBOL,
            order_id=fields.get("order_id"),
            client_order_id=fields.get("client_order_id"),
            reason=reason,
            message=message,
        )
    ]
    assert engine.snapshot() == before


def test_amendments_just_inside_the_limits_are_accepted() -> None:
    engine = cent_engine()
    at_minimum = only(amend_as_alice(engine, client_order_id="bid", new_quantity=5), OrderAmended)
    assert (at_minimum.quantity, at_minimum.locked, at_minimum.kept_priority) == (5, 500, True)
    above_filled = only(amend_as_alice(engine, order_id=2, new_quantity=5), OrderAmended)
    assert (above_filled.quantity, above_filled.filled) == (5, 4)
    lowest_price = only(
        amend_as_alice(engine, order_id=1, new_price=1, new_quantity=6), OrderAmended
    )
    assert (lowest_price.price, lowest_price.locked) == (1, 600)


def lock_entries(events: list[Event]) -> list[tuple[int, int | None]]:
    """(amount, order id) of each ledger entry, locks and releases alike."""
    return [(entry.amount, entry.order_id) for entry in of_type(events, LedgerEntryRecorded)]


def test_a_smaller_quantity_keeps_priority_and_releases_the_difference() -> None:
    engine = cent_engine()
    priority = engine.snapshot().open_orders[0].priority
    events = amend_as_alice(engine, order_id=1, new_quantity=7)
    assert only(events, OrderAmended) == OrderAmended(
        timestamp=5,
        order_id=1,
        user_id=ALICE,
        symbol=SYMBOL,
        price=1,
        quantity=7,
        filled=0,
        locked=700,
        priority=priority,
        queue_ahead=0,
        kept_priority=True,
    )
    assert lock_entries(events) == [(300, 1)]
    assert engine.balance(ALICE, "USDT").locked == 700


@pytest.mark.parametrize(
    ("fields", "price", "quantity", "locked"),
    [({"new_quantity": 12}, 1, 12, 1_200), ({"new_price": 2}, 2, 10, 2_000)],
)
def test_a_larger_quantity_or_a_new_price_goes_to_the_back_and_locks_the_difference(
    fields: dict[str, Any], price: int, quantity: int, locked: int
) -> None:
    engine = cent_engine()
    next_priority = engine.snapshot().next_priority
    events = amend_as_alice(engine, order_id=1, **fields)
    amended = only(events, OrderAmended)
    assert (amended.price, amended.quantity, amended.locked) == (price, quantity, locked)
    assert (amended.priority, amended.kept_priority) == (next_priority, False)
    assert lock_entries(events) == [(locked - 1_000, 1)]
    assert engine.open_orders(ALICE)[0].priority == next_priority


def test_a_sell_amended_onto_the_best_bid_takes_it_and_rests_the_rest() -> None:
    engine = cent_engine()
    place(engine, BOB, BUY, 2, 3)
    events = amend_as_alice(engine, order_id=2, new_price=2)
    amended = only(events, OrderAmended)
    assert (amended.price, amended.queue_ahead, amended.kept_priority) == (2, 0, False)
    assert [(t.price, t.quantity, t.taker_order_id) for t in of_type(events, TradeExecuted)] == [
        (2, 3, 2)
    ]
    [resting] = [order for order in engine.open_orders(ALICE) if order.order_id == 2]
    assert (resting.price, resting.quantity - resting.filled) == (2, 3)


def test_a_paper_order_moved_to_another_price_queues_behind_that_reference_level() -> None:
    engine = paper_engine(bids=((100, 5), (99, 7)))
    place(engine, ALICE, BUY, 100, 1)
    amended = only(amend_as_alice(engine, order_id=1, new_price=99), OrderAmended)
    assert (amended.price, amended.queue_ahead) == (99, 7)
