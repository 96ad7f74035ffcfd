"""Orders the engine refuses at entry, each with Binance's reason and words, and the amounts just
inside each rule that it accepts."""

from __future__ import annotations

from typing import Any

import pytest

from paperex.domain import OrderType, RejectReason, Side
from paperex.domain.commands import PlaceOrder
from paperex.domain.events import Event, OrderAccepted, OrderRejected
from tests.support.engine import ALICE, SYMBOL, make_engine, of_type

MARKET, STOP_LOSS = OrderType.MARKET, OrderType.STOP_LOSS


def place_as_alice(**fields: Any) -> list[Event]:
    engine = make_engine(min_notional="100", amount=1_000)
    command: dict[str, Any] = {"timestamp": 1, "user_id": ALICE, "symbol": SYMBOL, "side": Side.BUY}
    return engine.process(PlaceOrder(**(command | fields)))


@pytest.mark.parametrize(
    ("fields", "reason", "message"),
    [
        (
            {"order_type": MARKET, "quantity": 1, "price": 100},
            RejectReason.INVALID_PARAMETERS,
            "MARKET orders take no price and no stop price.",
        ),
        (
            {"order_type": MARKET, "quantity": 1, "quote_amount": 100},
            RejectReason.INVALID_PARAMETERS,
            "MARKET orders need exactly one of quantity and quote_amount.",
        ),
        (
            {"price": 100, "quantity": 0},
            RejectReason.LOT_SIZE,
            "Filter failure: LOT_SIZE (quantity must be positive).",
        ),
        (
            {"order_type": STOP_LOSS, "quantity": 1, "stop_price": 0},
            RejectReason.PRICE_FILTER,
            "Filter failure: PRICE_FILTER (price must be positive).",
        ),
        (
            {"symbol": "DOGEUSDT", "price": 100, "quantity": 1},
            RejectReason.UNKNOWN_SYMBOL,
            "Invalid symbol.",
        ),
        (
            {"price": 100, "quantity": 11},
            RejectReason.INSUFFICIENT_BALANCE,
            "Account has insufficient balance for requested action.",
        ),
    ],
)
def test_an_order_breaking_a_rule_is_refused_with_its_reason_and_words(
    fields: dict[str, Any], reason: RejectReason, message: str
) -> None:
    [rejected] = of_type(place_as_alice(**fields), OrderRejected)
    assert (rejected.reason, rejected.message) == (reason, message)


@pytest.mark.parametrize(
    "fields",
    [
        {"order_type": MARKET, "quote_amount": 100},
        {"price": 100, "quantity": 1},
        {"order_type": STOP_LOSS, "quantity": 100, "stop_price": 1},
    ],
)
def test_an_order_at_the_edge_of_the_rules_is_accepted(fields: dict[str, Any]) -> None:
    events = place_as_alice(**fields)
    assert of_type(events, OrderRejected) == []
    assert len(of_type(events, OrderAccepted)) == 1
