"""Every field a client sends reaches the PlaceOrder or rejection built at the decimal edge."""

from __future__ import annotations

from decimal import Decimal

import pytest

from paperex.domain import (
    Asset,
    Instrument,
    OrderType,
    RejectReason,
    SelfTradePrevention,
    Side,
    TimeInForce,
)
from paperex.domain.commands import PlaceOrder
from paperex.domain.events import OrderRejected
from paperex.engine import place_order_from_decimals

ETHUSDT = Instrument("ETHUSDT", "ETH", "USDT", Decimal("0.05"), Decimal("0.0001"))
USDT = Asset("USDT", 4)
COMMON = {"timestamp": 1_700_000_000_123, "user_id": 42, "client_order_id": "bot-7"}


def test_a_stop_limit_order_keeps_every_field_in_ticks_and_lots() -> None:
    command = place_order_from_decimals(
        ETHUSDT,
        USDT,
        side=Side.SELL,
        order_type=OrderType.STOP_LOSS_LIMIT,
        time_in_force=TimeInForce.IOC,
        quantity=Decimal("1.2345"),
        price=Decimal("2500.05"),
        stop_price=Decimal("2501"),
        self_trade_prevention=SelfTradePrevention.EXPIRE_BOTH,
        **COMMON,  # type: ignore[arg-type]
    )
    assert command == PlaceOrder(
        timestamp=1_700_000_000_123,
        user_id=42,
        symbol="ETHUSDT",
        side=Side.SELL,
        order_type=OrderType.STOP_LOSS_LIMIT,
        time_in_force=TimeInForce.IOC,
        quantity=12_345,
        price=50_001,
        stop_price=50_020,
        quote_amount=None,
        client_order_id="bot-7",
        self_trade_prevention=SelfTradePrevention.EXPIRE_BOTH,
    )


def test_a_market_order_by_quote_amount_is_in_quote_units() -> None:
    command = place_order_from_decimals(
        ETHUSDT,
        USDT,
        side=Side.BUY,
        order_type=OrderType.MARKET,
        quote_amount=Decimal("99.5001"),
        **COMMON,  # type: ignore[arg-type]
    )
    assert isinstance(command, PlaceOrder)
    assert (command.quote_amount, command.quantity, command.price) == (995_001, None, None)


@pytest.mark.parametrize(
    ("fields", "reason", "message"),
    [
        (
            {"price": Decimal("2500.01"), "quantity": Decimal(1)},
            RejectReason.PRICE_FILTER,
            "Filter failure: PRICE_FILTER (price 2500.01 is not a multiple of tick size 0.05).",
        ),
        (
            {
                "order_type": OrderType.STOP_LOSS,
                "stop_price": Decimal("2500.02"),
                "quantity": Decimal(1),
            },
            RejectReason.PRICE_FILTER,
            "Filter failure: PRICE_FILTER (price 2500.02 is not a multiple of tick size 0.05).",
        ),
        (
            {"price": Decimal(2500), "quantity": Decimal("0.00005")},
            RejectReason.LOT_SIZE,
            "Filter failure: LOT_SIZE (quantity 0.00005 is not a multiple of step size 0.0001).",
        ),
        (
            {"order_type": OrderType.MARKET, "quote_amount": Decimal("1.00001")},
            RejectReason.INVALID_PARAMETERS,
            "Illegal quote amount (1.00001 USDT has more than 4 decimals).",
        ),
    ],
)
def test_an_off_grid_decimal_is_rejected_with_the_order_named_and_the_reason_worded(
    fields: dict[str, object], reason: RejectReason, message: str
) -> None:
    rejection = place_order_from_decimals(
        ETHUSDT,
        USDT,
        side=Side.BUY,
        **COMMON,  # type: ignore[arg-type]
        **fields,  # type: ignore[arg-type]
    )
    assert rejection == OrderRejected(
        timestamp=1_700_000_000_123,
        user_id=42,
        symbol="ETHUSDT",
        client_order_id="bot-7",
        reason=reason,
        message=message,
    )
