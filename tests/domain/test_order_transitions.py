"""ORDER_TRANSITIONS and the fold of order events into an OpenOrder record."""

from __future__ import annotations

from typing import Any

import pytest

from paperex.domain import (
    ORDER_TRANSITIONS,
    ExpiryReason,
    Liquidity,
    OpenOrder,
    OrderStatus,
    OrderTransitionError,
    OrderType,
    SelfTradePrevention,
    Side,
    TimeInForce,
)
from paperex.domain.events import (
    OrderAccepted,
    OrderAmended,
    OrderCanceled,
    OrderExpired,
    OrderFilled,
    OrderTriggered,
)

ORDER_ID = 7
NEW, PARTIALLY_FILLED, FILLED = OrderStatus.NEW, OrderStatus.PARTIALLY_FILLED, OrderStatus.FILLED


def accepted(order_type: OrderType = OrderType.LIMIT, **fields: Any) -> OpenOrder:
    """The record of a buy of 10 lots at 100 that locked 1,000 quote units at time 1."""
    values: dict[str, Any] = {
        "timestamp": 1,
        "order_id": ORDER_ID,
        "user_id": 3,
        "symbol": "BTCUSDT",
        "client_order_id": "c-7",
        "side": Side.BUY,
        "order_type": order_type,
        "time_in_force": TimeInForce.GTC,
        "price": 100,
        "stop_price": None,
        "quantity": 10,
        "quote_amount": None,
        "self_trade_prevention": SelfTradePrevention.NONE,
        "locked_asset": "USDT",
        "locked": 1_000,
        "priority": 4,
        "queue_ahead": 2,
    }
    return OpenOrder.accepted(OrderAccepted(**(values | fields)))


def filled(
    total: int, status: OrderStatus, *, locked: int, order_id: int = ORDER_ID
) -> OrderFilled:
    return OrderFilled(
        timestamp=2,
        order_id=order_id,
        user_id=3,
        symbol="BTCUSDT",
        trade_id=1,
        side=Side.BUY,
        price=100,
        quantity=total,
        quote_quantity=100 * total,
        liquidity=Liquidity.MAKER,
        fee=0,
        fee_asset="BTC",
        filled=total,
        executed_quote=100 * total,
        locked=locked,
        status=status,
        is_reference=False,
    )


def canceled(total: int = 0) -> OrderCanceled:
    return OrderCanceled(
        timestamp=3,
        order_id=ORDER_ID,
        user_id=3,
        symbol="BTCUSDT",
        client_order_id="c-7",
        filled=total,
    )


def expired(reason: ExpiryReason = ExpiryReason.TIME_IN_FORCE) -> OrderExpired:
    return OrderExpired(
        timestamp=3,
        order_id=ORDER_ID,
        user_id=3,
        symbol="BTCUSDT",
        client_order_id="c-7",
        filled=0,
        reason=reason,
    )


def amended(price: int, quantity: int, *, locked: int) -> OrderAmended:
    return OrderAmended(
        timestamp=4,
        order_id=ORDER_ID,
        user_id=3,
        symbol="BTCUSDT",
        price=price,
        quantity=quantity,
        filled=0,
        locked=locked,
        priority=9,
        queue_ahead=0,
        kept_priority=False,
    )


def triggered() -> OrderTriggered:
    return OrderTriggered(
        timestamp=5, order_id=ORDER_ID, user_id=3, symbol="BTCUSDT", last_price=90, priority=11
    )


def test_only_new_and_partially_filled_orders_can_still_change() -> None:
    assert set(ORDER_TRANSITIONS) == set(OrderStatus)
    assert {status for status, moves in ORDER_TRANSITIONS.items() if moves} == {
        NEW,
        PARTIALLY_FILLED,
    }
    assert all(status.is_open == bool(ORDER_TRANSITIONS[status]) for status in OrderStatus)
    assert NEW not in ORDER_TRANSITIONS[PARTIALLY_FILLED]


def test_an_accepted_order_starts_new_with_nothing_filled() -> None:
    record = accepted()
    assert (record.status, record.filled, record.executed_quote) == (NEW, 0, 0)
    assert (record.price, record.locked, record.priority, record.queue_ahead) == (100, 1_000, 4, 2)
    assert record.created_at == 1


def test_fills_amends_and_the_last_fill_fold_into_the_record() -> None:
    record = accepted().apply(amended(95, 12, locked=1_140))
    assert (record.price, record.quantity, record.locked) == (95, 12, 1_140)
    assert (record.priority, record.queue_ahead, record.status) == (9, 0, NEW)
    record = record.apply(filled(5, PARTIALLY_FILLED, locked=640))
    assert (record.filled, record.executed_quote, record.locked) == (5, 500, 640)
    assert record.status is PARTIALLY_FILLED
    record = record.apply(filled(12, FILLED, locked=40))
    assert (record.filled, record.status, record.locked) == (12, FILLED, 0)
    assert not record.status.is_open


def test_a_canceled_or_expired_order_holds_nothing_and_keeps_why() -> None:
    record = accepted().apply(filled(4, PARTIALLY_FILLED, locked=600)).apply(canceled(4))
    assert (record.status, record.filled, record.locked) == (OrderStatus.CANCELED, 4, 0)
    record = accepted().apply(expired(ExpiryReason.SELF_TRADE_PREVENTION))
    assert (record.status, record.locked) == (OrderStatus.EXPIRED, 0)
    assert record.expiry_reason is ExpiryReason.SELF_TRADE_PREVENTION


def test_a_stop_is_triggered_once_and_then_rests_like_a_limit() -> None:
    stop = accepted(OrderType.STOP_LOSS_LIMIT, stop_price=90)
    with pytest.raises(OrderTransitionError, match="amended but not resting"):
        stop.apply(amended(95, 10, locked=950))
    record = stop.apply(triggered())
    assert (record.triggered, record.priority, record.status) == (True, 11, NEW)
    assert record.apply(amended(95, 10, locked=950)).price == 95
    with pytest.raises(OrderTransitionError, match="not a waiting stop"):
        record.apply(triggered())


@pytest.mark.parametrize(
    ("record", "event", "message"),
    [
        (
            accepted().apply(filled(10, FILLED, locked=0)),
            canceled(10),
            "cannot move FILLED to CANCELED",
        ),
        (accepted().apply(canceled()), filled(3, PARTIALLY_FILLED, locked=0), "CANCELED to"),
        (accepted().apply(expired()), expired(), "cannot move EXPIRED to EXPIRED"),
        (
            accepted().apply(canceled()),
            amended(99, 10, locked=990),
            "cannot move CANCELED to CANCELED",
        ),
        (accepted(), filled(10, PARTIALLY_FILLED, locked=0), "PARTIALLY_FILLED with 10 of 10"),
        (accepted(), filled(3, FILLED, locked=0), "FILLED with 3 of 10"),
        (accepted(), filled(3, PARTIALLY_FILLED, locked=0, order_id=8), "of order 8 applied"),
        (accepted(), triggered(), "not a waiting stop"),
    ],
)
def test_an_illegal_event_is_refused(record: OpenOrder, event: Any, message: str) -> None:
    with pytest.raises(OrderTransitionError, match=message):
        record.apply(event)
