from __future__ import annotations

import pytest

from paperex.domain import ExpiryReason, SelfTradePrevention, Side
from paperex.domain.events import OrderAccepted, OrderExpired, TradeExecuted
from tests.support.engine import ALICE, BOB, SYMBOL, make_engine, of_type, only, place

BUY, SELL = Side.BUY, Side.SELL


@pytest.mark.parametrize(
    ("mode", "expired_orders", "trades", "asks_left", "bids_left"),
    [
        # The book: ALICE's own ask at 100, then BOB's at 101; ALICE buys 2 up to 101.
        (SelfTradePrevention.NONE, [], [(100, ALICE), (101, BOB)], [], []),
        (SelfTradePrevention.EXPIRE_TAKER, ["taker"], [], [(100, 1), (101, 1)], []),
        (SelfTradePrevention.EXPIRE_MAKER, ["maker"], [(101, BOB)], [], [(101, 1)]),
        (SelfTradePrevention.EXPIRE_BOTH, ["maker", "taker"], [], [(101, 1)], []),
    ],
)
def test_each_self_trade_prevention_mode(
    mode: SelfTradePrevention,
    expired_orders: list[str],
    trades: list[tuple[int, int]],
    asks_left: list[tuple[int, int]],
    bids_left: list[tuple[int, int]],
) -> None:
    engine = make_engine()
    maker = only(place(engine, ALICE, SELL, 100, 1), OrderAccepted).order_id
    place(engine, BOB, SELL, 101, 1)
    events = place(engine, ALICE, BUY, 101, 2, self_trade_prevention=mode)
    taker = only(events, OrderAccepted).order_id
    names = {maker: "maker", taker: "taker"}
    expired = of_type(events, OrderExpired)
    assert [names[event.order_id] for event in expired] == expired_orders
    assert all(event.reason is ExpiryReason.SELF_TRADE_PREVENTION for event in expired)
    assert [(t.price, t.maker_user_id) for t in of_type(events, TradeExecuted)] == trades
    assert engine.depth(SYMBOL) == (bids_left, asks_left)
    locked = sum(order.locked for order in engine.open_orders(ALICE) if order.side is BUY)
    assert engine.balance(ALICE, "USDT").locked == locked


def test_the_market_default_applies_when_the_order_names_no_mode() -> None:
    engine = make_engine(stp=SelfTradePrevention.EXPIRE_TAKER)
    place(engine, ALICE, SELL, 100, 1)
    events = place(engine, ALICE, BUY, 100, 1)
    assert only(events, OrderAccepted).self_trade_prevention is SelfTradePrevention.EXPIRE_TAKER
    assert not of_type(events, TradeExecuted)


def test_fok_counts_only_liquidity_that_self_trade_prevention_lets_it_take() -> None:
    from paperex.domain.orders import TimeInForce

    engine = make_engine()
    place(engine, ALICE, SELL, 100, 1)
    place(engine, BOB, SELL, 101, 1)
    events = place(
        engine,
        ALICE,
        BUY,
        101,
        2,
        time_in_force=TimeInForce.FOK,
        self_trade_prevention=SelfTradePrevention.EXPIRE_MAKER,
    )
    assert not of_type(events, TradeExecuted)
    assert only(events, OrderExpired).reason is ExpiryReason.TIME_IN_FORCE
    assert engine.depth(SYMBOL) == ([], [(100, 1), (101, 1)])
