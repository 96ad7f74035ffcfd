from __future__ import annotations

import pytest

from paperex.domain import ExpiryReason, OrderStatus, OrderType, RejectReason, Side
from paperex.domain.events import (
    OrderAccepted,
    OrderExpired,
    OrderFilled,
    OrderRejected,
    OrderTriggered,
    TradeExecuted,
)
from tests.support.engine import (
    ALICE,
    BOB,
    CAROL,
    SYMBOL,
    cancel,
    free_and_locked,
    make_engine,
    of_type,
    only,
    place,
    trade_at,
)

BUY, SELL = Side.BUY, Side.SELL


@pytest.mark.parametrize(
    ("order_type", "side", "stop_price", "no_trigger_at", "trigger_at", "liquidity_at"),
    [
        (OrderType.STOP_LOSS, SELL, 95, 96, 95, 80),
        (OrderType.STOP_LOSS, BUY, 105, 104, 105, 106),
        (OrderType.TAKE_PROFIT, SELL, 105, 104, 106, 80),
        (OrderType.TAKE_PROFIT, BUY, 95, 96, 94, 96),
    ],
)
def test_stop_market_orders_trigger_on_the_last_trade_price(
    order_type: OrderType,
    side: Side,
    stop_price: int,
    no_trigger_at: int,
    trigger_at: int,
    liquidity_at: int,
) -> None:
    engine = make_engine()
    trade_at(engine, 100)
    accepted = only(
        place(engine, ALICE, side, None, 2, order_type=order_type, stop_price=stop_price),
        OrderAccepted,
    )
    # Liquidity for the triggered market order (a buy's lock covers the stop price + 5%).
    place(engine, BOB, side.opposite, liquidity_at, 5)
    assert not of_type(trade_at(engine, no_trigger_at), OrderTriggered)
    events = trade_at(engine, trigger_at)
    assert only(events, OrderTriggered).order_id == accepted.order_id
    fills = [fill for fill in of_type(events, OrderFilled) if fill.user_id == ALICE]
    assert fills[-1].status is OrderStatus.FILLED
    assert engine.open_orders(ALICE) == []
    assert free_and_locked(engine, ALICE, "USDT")[1] == 0
    assert free_and_locked(engine, ALICE, "BTC")[1] == 0


def test_a_stop_limit_rests_at_its_limit_after_triggering() -> None:
    engine = make_engine()
    trade_at(engine, 100)
    place(
        engine,
        ALICE,
        SELL,
        97,
        3,
        order_type=OrderType.STOP_LOSS_LIMIT,
        stop_price=98,
    )
    assert free_and_locked(engine, ALICE, "BTC") == (1_000_000 - 3, 3)
    events = trade_at(engine, 98)
    assert of_type(events, OrderTriggered)
    assert engine.depth(SYMBOL)[1] == [(97, 3)]
    (order,) = engine.open_orders(ALICE)
    assert order.triggered
    assert order.status is OrderStatus.NEW


def test_a_take_profit_limit_buy_triggers_and_trades() -> None:
    engine = make_engine()
    trade_at(engine, 100)
    place(engine, ALICE, BUY, 91, 1, order_type=OrderType.TAKE_PROFIT_LIMIT, stop_price=90)
    assert free_and_locked(engine, ALICE, "USDT") == (1_000_000 - 91, 91)
    place(engine, BOB, SELL, 91, 1)
    events = trade_at(engine, 90)
    assert [trade.price for trade in of_type(events, TradeExecuted)] == [90, 91]
    assert free_and_locked(engine, ALICE, "USDT") == (1_000_000 - 91, 0)


def test_a_triggered_stop_can_trigger_the_next_one() -> None:
    engine = make_engine()
    trade_at(engine, 100)
    place(engine, ALICE, SELL, None, 1, order_type=OrderType.STOP_LOSS, stop_price=99)
    place(engine, CAROL, SELL, None, 1, order_type=OrderType.STOP_LOSS, stop_price=97)
    place(engine, BOB, BUY, 97, 1)
    place(engine, BOB, BUY, 90, 1)
    events = trade_at(engine, 99)
    assert len(of_type(events, OrderTriggered)) == 2
    assert [trade.price for trade in of_type(events, TradeExecuted)] == [99, 97, 90]


def test_an_untriggered_stop_can_be_canceled() -> None:
    engine = make_engine()
    accepted = only(
        place(engine, ALICE, BUY, None, 2, order_type=OrderType.STOP_LOSS, stop_price=110),
        OrderAccepted,
    )
    # A stop-market buy locks the stop price value plus the market's headroom (5%).
    assert accepted.locked == 231
    cancel(engine, ALICE, accepted.order_id)
    assert free_and_locked(engine, ALICE, "USDT") == (1_000_000, 0)
    place(engine, BOB, SELL, 120, 1)
    assert not of_type(place(engine, CAROL, BUY, 120, 1), OrderTriggered)


def test_a_stop_market_buy_stops_when_its_lock_runs_out() -> None:
    engine = make_engine()
    trade_at(engine, 100)
    place(engine, ALICE, BUY, None, 2, order_type=OrderType.STOP_LOSS, stop_price=101)
    place(engine, BOB, SELL, 101, 1)
    place(engine, BOB, SELL, 500, 5)
    events = trade_at(engine, 101)
    mine = [fill for fill in of_type(events, OrderFilled) if fill.user_id == ALICE]
    # The lock (2 * 101 + 5% = 213) pays one lot at 101 but not the next at 500.
    assert [fill.price for fill in mine] == [101]
    expired = only(events, OrderExpired)
    assert (expired.filled, expired.reason) == (1, ExpiryReason.INSUFFICIENT_LOCK)
    assert free_and_locked(engine, ALICE, "USDT") == (1_000_000 - 101, 0)


@pytest.mark.parametrize(
    ("order_type", "price", "stop_price"),
    [
        (OrderType.STOP_LOSS, None, None),
        (OrderType.STOP_LOSS, 10, 10),
        (OrderType.STOP_LOSS_LIMIT, None, 10),
        (OrderType.TAKE_PROFIT_LIMIT, 10, None),
    ],
)
def test_stop_parameters_are_checked(
    order_type: OrderType, price: int | None, stop_price: int | None
) -> None:
    engine = make_engine()
    events = place(engine, ALICE, SELL, price, 1, order_type=order_type, stop_price=stop_price)
    assert only(events, OrderRejected).reason is RejectReason.INVALID_PARAMETERS
