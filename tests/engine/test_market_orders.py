from __future__ import annotations

import pytest

from paperex.domain import ExpiryReason, MarketMode, OrderStatus, OrderType, RejectReason, Side
from paperex.domain.commands import RecordReferenceTrade
from paperex.domain.events import (
    OrderAccepted,
    OrderExpired,
    OrderFilled,
    OrderRejected,
    TradeExecuted,
)
from tests.support.engine import (
    ALICE,
    BOB,
    CAROL,
    SYMBOL,
    free_and_locked,
    make_engine,
    of_type,
    only,
    place,
)

BUY, SELL, MARKET = Side.BUY, Side.SELL, OrderType.MARKET


def test_market_buy_by_quantity_walks_levels_and_locks_the_exact_cost() -> None:
    engine = make_engine()
    for price, quantity in ((100, 2), (101, 2), (105, 5)):
        place(engine, ALICE, SELL, price, quantity)
    events = place(engine, BOB, BUY, None, 5, order_type=MARKET)
    assert only(events, OrderAccepted).locked == 200 + 202 + 105
    assert [(t.price, t.quantity) for t in of_type(events, TradeExecuted)] == [
        (100, 2),
        (101, 2),
        (105, 1),
    ]
    assert of_type(events, OrderFilled)[-2].status is OrderStatus.FILLED
    assert free_and_locked(engine, BOB, "USDT") == (1_000_000 - 507, 0)


def test_market_buy_larger_than_the_book_fills_it_and_expires_the_rest() -> None:
    engine = make_engine()
    place(engine, ALICE, SELL, 100, 2)
    events = place(engine, BOB, BUY, None, 5, order_type=MARKET)
    expired = only(events, OrderExpired)
    assert (expired.filled, expired.reason) == (2, ExpiryReason.TIME_IN_FORCE)
    assert free_and_locked(engine, BOB, "USDT") == (1_000_000 - 200, 0)


def test_market_order_on_an_empty_book_expires() -> None:
    engine = make_engine()
    events = place(engine, BOB, SELL, None, 5, order_type=MARKET)
    assert only(events, OrderExpired).filled == 0
    assert free_and_locked(engine, BOB, "BTC") == (1_000_000, 0)


def test_market_buy_by_quote_amount_spends_at_most_that_amount() -> None:
    engine = make_engine()
    place(engine, ALICE, SELL, 100, 2)
    place(engine, ALICE, SELL, 110, 10)
    events = place(engine, BOB, BUY, None, None, order_type=MARKET, quote_amount=450)
    accepted = only(events, OrderAccepted)
    assert (accepted.quantity, accepted.quote_amount, accepted.locked) == (4, 450, 420)
    assert [(t.price, t.quantity) for t in of_type(events, TradeExecuted)] == [(100, 2), (110, 2)]
    assert of_type(events, OrderFilled)[-2].executed_quote == 420
    assert free_and_locked(engine, BOB, "USDT") == (1_000_000 - 420, 0)
    assert free_and_locked(engine, BOB, "BTC") == (1_000_004, 0)


def test_market_sell_by_quote_amount_sells_what_that_amount_buys() -> None:
    engine = make_engine()
    place(engine, ALICE, BUY, 100, 3)
    place(engine, ALICE, BUY, 90, 3)
    events = place(engine, BOB, SELL, None, None, order_type=MARKET, quote_amount=400)
    assert only(events, OrderAccepted).quantity == 4
    assert [(t.price, t.quantity) for t in of_type(events, TradeExecuted)] == [(100, 3), (90, 1)]
    assert free_and_locked(engine, BOB, "USDT") == (1_000_390, 0)


def test_market_buy_by_quote_needs_the_whole_amount_free() -> None:
    engine = make_engine(amount=100)
    place(engine, ALICE, SELL, 10, 1)
    events = place(engine, BOB, BUY, None, None, order_type=MARKET, quote_amount=101)
    assert only(events, OrderRejected).reason is RejectReason.INSUFFICIENT_BALANCE


def test_market_buy_by_quantity_rejected_when_the_cost_exceeds_funds() -> None:
    engine = make_engine(amount=1_000)
    place(engine, ALICE, SELL, 300, 5)
    events = place(engine, BOB, BUY, None, 4, order_type=MARKET)
    assert only(events, OrderRejected).reason is RejectReason.INSUFFICIENT_BALANCE


def test_market_order_parameters_are_checked() -> None:
    engine = make_engine()
    both = place(engine, BOB, BUY, None, 1, order_type=MARKET, quote_amount=5)
    neither = place(engine, BOB, BUY, None, None, order_type=MARKET)
    priced = place(engine, BOB, BUY, 10, 1, order_type=MARKET)
    for events in (both, neither, priced):
        assert only(events, OrderRejected).reason is RejectReason.INVALID_PARAMETERS


def test_market_quote_amount_below_min_notional_is_rejected() -> None:
    engine = make_engine(min_notional="10")
    events = place(engine, BOB, BUY, None, None, order_type=MARKET, quote_amount=9)
    assert only(events, OrderRejected).reason is RejectReason.NOTIONAL


@pytest.mark.parametrize("side", [BUY, SELL])
@pytest.mark.parametrize("mode", list(MarketMode))
def test_a_market_order_by_quantity_needs_the_min_notional_at_the_reference_price(
    mode: MarketMode, side: Side
) -> None:
    engine = make_engine(mode=mode, min_notional="10")
    if mode is MarketMode.PAPER:
        engine.process(
            RecordReferenceTrade(timestamp=1, symbol=SYMBOL, price=5, quantity=1, aggressor=BUY)
        )
    else:
        place(engine, ALICE, SELL, 5, 2)
        place(engine, BOB, BUY, 5, 2)
    below = place(engine, CAROL, side, None, 1, order_type=MARKET)
    rejected = only(below, OrderRejected)
    assert (rejected.reason, rejected.message) == (
        RejectReason.NOTIONAL,
        "Filter failure: NOTIONAL (below the minimum).",
    )
    assert only(place(engine, CAROL, side, None, 2, order_type=MARKET), OrderAccepted)


def test_a_market_order_by_quantity_passes_before_the_market_has_a_reference_price() -> None:
    engine = make_engine(min_notional="10")
    assert only(place(engine, BOB, BUY, None, 1, order_type=MARKET), OrderAccepted)
