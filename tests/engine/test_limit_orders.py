from __future__ import annotations

import pytest

from paperex.domain import ExpiryReason, Liquidity, OrderStatus, OrderType, RejectReason, Side
from paperex.domain.events import (
    OrderAccepted,
    OrderExpired,
    OrderFilled,
    OrderRejected,
    TradeExecuted,
)
from paperex.domain.orders import TimeInForce
from tests.support.engine import (
    ALICE,
    BOB,
    CAROL,
    cancel,
    free_and_locked,
    make_engine,
    of_type,
    only,
    place,
)

BUY, SELL = Side.BUY, Side.SELL


def test_a_resting_buy_locks_its_quote_and_a_cancel_gives_it_back() -> None:
    engine = make_engine()
    accepted = only(place(engine, ALICE, BUY, 100, 5), OrderAccepted)
    assert (accepted.locked, accepted.locked_asset) == (500, "USDT")
    assert free_and_locked(engine, ALICE, "USDT") == (1_000_000 - 500, 500)
    assert engine.depth("BTCUSDT") == ([(100, 5)], [])
    cancel(engine, ALICE, accepted.order_id)
    assert free_and_locked(engine, ALICE, "USDT") == (1_000_000, 0)
    assert engine.depth("BTCUSDT") == ([], [])


def test_a_resting_sell_locks_its_base() -> None:
    engine = make_engine()
    place(engine, ALICE, SELL, 100, 7)
    assert free_and_locked(engine, ALICE, "BTC") == (1_000_000 - 7, 7)


def test_a_crossing_buy_trades_at_the_maker_price_and_releases_the_improvement() -> None:
    engine = make_engine()
    place(engine, ALICE, SELL, 100, 5)
    events = place(engine, BOB, BUY, 103, 5)
    trade = only(events, TradeExecuted)
    assert (trade.price, trade.quantity, trade.taker_side) == (100, 5, BUY)
    fills = of_type(events, OrderFilled)
    assert [(fill.user_id, fill.liquidity, fill.status) for fill in fills] == [
        (BOB, Liquidity.TAKER, OrderStatus.FILLED),
        (ALICE, Liquidity.MAKER, OrderStatus.FILLED),
    ]
    assert free_and_locked(engine, BOB, "USDT") == (1_000_000 - 500, 0)
    assert free_and_locked(engine, BOB, "BTC") == (1_000_005, 0)
    assert free_and_locked(engine, ALICE, "USDT") == (1_000_500, 0)
    assert free_and_locked(engine, ALICE, "BTC") == (1_000_000 - 5, 0)
    assert engine.last_price("BTCUSDT") == 100


def test_a_partial_fill_rests_the_remainder_as_partially_filled() -> None:
    engine = make_engine()
    place(engine, ALICE, SELL, 100, 3)
    events = place(engine, BOB, BUY, 101, 10)
    taker_fill = of_type(events, OrderFilled)[0]
    assert (taker_fill.filled, taker_fill.status) == (3, OrderStatus.PARTIALLY_FILLED)
    assert engine.depth("BTCUSDT") == ([(101, 7)], [])
    (open_order,) = engine.open_orders(BOB)
    assert (open_order.filled, open_order.status, open_order.locked) == (
        3,
        OrderStatus.PARTIALLY_FILLED,
        707,
    )
    assert free_and_locked(engine, BOB, "USDT") == (1_000_000 - 300 - 707, 707)


def test_a_maker_partly_filled_keeps_its_place_with_the_rest() -> None:
    engine = make_engine()
    place(engine, ALICE, SELL, 100, 10)
    place(engine, BOB, BUY, 100, 4)
    assert engine.depth("BTCUSDT") == ([], [(100, 6)])
    (maker,) = engine.open_orders(ALICE)
    assert (maker.filled, maker.status, maker.locked) == (4, OrderStatus.PARTIALLY_FILLED, 6)


def test_better_prices_fill_first_then_earlier_orders() -> None:
    engine = make_engine()
    first = only(place(engine, ALICE, SELL, 101, 1), OrderAccepted).order_id
    second = only(place(engine, CAROL, SELL, 101, 1), OrderAccepted).order_id
    best = only(place(engine, ALICE, SELL, 100, 1), OrderAccepted).order_id
    trades = of_type(place(engine, BOB, BUY, 101, 3), TradeExecuted)
    assert [trade.maker_order_id for trade in trades] == [best, first, second]
    assert [trade.price for trade in trades] == [100, 101, 101]


def test_a_sweep_walks_several_levels_and_leaves_the_book_uncrossed() -> None:
    engine = make_engine()
    for price in (100, 101, 102, 103):
        place(engine, ALICE, SELL, price, 2)
    place(engine, BOB, BUY, 102, 10)
    bids, asks = engine.depth("BTCUSDT")
    assert bids == [(102, 4)]
    assert asks == [(103, 2)]


def test_ioc_fills_what_it_can_and_expires_the_rest() -> None:
    engine = make_engine()
    place(engine, ALICE, SELL, 100, 3)
    events = place(engine, BOB, BUY, 100, 5, time_in_force=TimeInForce.IOC)
    assert only(events, TradeExecuted).quantity == 3
    expired = only(events, OrderExpired)
    assert (expired.filled, expired.reason) == (3, ExpiryReason.TIME_IN_FORCE)
    assert engine.depth("BTCUSDT") == ([], [])
    assert free_and_locked(engine, BOB, "USDT") == (1_000_000 - 300, 0)


def test_fok_that_cannot_fill_completely_expires_without_trading() -> None:
    engine = make_engine()
    place(engine, ALICE, SELL, 100, 3)
    place(engine, ALICE, SELL, 102, 3)
    events = place(engine, BOB, BUY, 101, 4, time_in_force=TimeInForce.FOK)
    assert not of_type(events, TradeExecuted)
    assert only(events, OrderExpired).filled == 0
    assert engine.depth("BTCUSDT") == ([], [(100, 3), (102, 3)])
    assert free_and_locked(engine, BOB, "USDT") == (1_000_000, 0)


def test_fok_that_can_fill_completely_fills() -> None:
    engine = make_engine()
    place(engine, ALICE, SELL, 100, 3)
    place(engine, ALICE, SELL, 101, 3)
    events = place(engine, BOB, BUY, 101, 4, time_in_force=TimeInForce.FOK)
    assert [trade.quantity for trade in of_type(events, TradeExecuted)] == [3, 1]
    assert of_type(events, OrderFilled)[-2].status is OrderStatus.FILLED


def test_post_only_that_would_cross_is_rejected() -> None:
    engine = make_engine()
    place(engine, ALICE, SELL, 100, 3)
    rejected = only(
        place(engine, BOB, BUY, 100, 1, order_type=OrderType.LIMIT_MAKER), OrderRejected
    )
    assert rejected.reason is RejectReason.WOULD_MATCH_IMMEDIATELY
    assert rejected.status is OrderStatus.REJECTED
    assert free_and_locked(engine, BOB, "USDT") == (1_000_000, 0)


def test_post_only_that_does_not_cross_rests() -> None:
    engine = make_engine()
    place(engine, ALICE, SELL, 100, 3)
    place(engine, BOB, BUY, 99, 1, order_type=OrderType.LIMIT_MAKER)
    assert engine.depth("BTCUSDT") == ([(99, 1)], [(100, 3)])


@pytest.mark.parametrize(
    ("side", "price", "quantity"),
    [(BUY, 1_000, 1_001), (SELL, 1, 1_000_001)],
)
def test_insufficient_funds_are_rejected(side: Side, price: int, quantity: int) -> None:
    engine = make_engine()
    rejected = only(place(engine, ALICE, side, price, quantity), OrderRejected)
    assert rejected.reason is RejectReason.INSUFFICIENT_BALANCE
    assert engine.open_orders() == []


def test_an_unfunded_user_cannot_buy() -> None:
    engine = make_engine(funded=())
    rejected = only(place(engine, ALICE, BUY, 1, 1), OrderRejected)
    assert rejected.reason is RejectReason.INSUFFICIENT_BALANCE


@pytest.mark.parametrize(
    ("price", "quantity", "reason"),
    [
        (0, 1, RejectReason.PRICE_FILTER),
        (-5, 1, RejectReason.PRICE_FILTER),
        (10, 0, RejectReason.LOT_SIZE),
        (10, -1, RejectReason.LOT_SIZE),
        (None, 1, RejectReason.INVALID_PARAMETERS),
        (10, None, RejectReason.INVALID_PARAMETERS),
        (9, 1, RejectReason.NOTIONAL),
        (3, 3, RejectReason.NOTIONAL),
    ],
)
def test_filters_reject_bad_limit_orders(
    price: int | None, quantity: int | None, reason: RejectReason
) -> None:
    engine = make_engine(min_notional="10")
    assert only(place(engine, ALICE, BUY, price, quantity), OrderRejected).reason is reason


def test_min_notional_is_inclusive() -> None:
    engine = make_engine(min_notional="10")
    assert of_type(place(engine, ALICE, BUY, 5, 2), OrderAccepted)


def test_unknown_symbol_is_rejected() -> None:
    from paperex.domain.commands import PlaceOrder

    engine = make_engine()
    events = engine.process(
        PlaceOrder(timestamp=1, user_id=ALICE, symbol="NOPE", side=BUY, price=1, quantity=1)
    )
    assert only(events, OrderRejected).reason is RejectReason.UNKNOWN_SYMBOL


def test_client_order_ids_are_unique_among_open_orders_only() -> None:
    engine = make_engine()
    place(engine, ALICE, BUY, 100, 1, client_order_id="mine")
    duplicate = only(place(engine, ALICE, BUY, 99, 1, client_order_id="mine"), OrderRejected)
    assert duplicate.reason is RejectReason.DUPLICATE_CLIENT_ORDER_ID
    assert of_type(place(engine, BOB, BUY, 99, 1, client_order_id="mine"), OrderAccepted)
    place(engine, CAROL, SELL, 100, 1)
    assert of_type(place(engine, ALICE, BUY, 99, 1, client_order_id="mine"), OrderAccepted)


def test_orders_get_sequential_ids_and_a_generated_client_id() -> None:
    engine = make_engine()
    first = only(place(engine, ALICE, BUY, 100, 1), OrderAccepted)
    second = only(place(engine, ALICE, BUY, 100, 1), OrderAccepted)
    assert (first.order_id, second.order_id) == (1, 2)
    assert first.client_order_id == "paperex-1"
