"""Amendments the engine refuses, each with its reason and words, leaving the order unchanged."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from paperex.domain import Asset, Instrument, MarketSpec, OrderType, RejectReason, Side
from paperex.domain.commands import AmendOrder, Deposit
from paperex.domain.events import AmendRejected, Event, OrderAmended
from paperex.engine import MatchingEngine
from tests.support.engine import ALICE, BOB, SYMBOL, only, place

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
