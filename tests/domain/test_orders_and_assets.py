from decimal import Decimal

import msgspec
import pytest

from paperex.domain import Asset, OffGridError, OrderStatus, OrderType, Side
from paperex.domain.commands import EngineCommand, PlaceOrder
from paperex.domain.events import Event, OrderAccepted


def test_asset_units_round_trip() -> None:
    usdt = Asset("USDT", 8)
    assert usdt.to_units(Decimal("12.34")) == 1_234_000_000
    assert usdt.from_units(1_234_000_000) == Decimal("12.34")
    assert Asset("JPY", 0).to_units(Decimal(5)) == 5


def test_asset_refuses_amounts_finer_than_its_unit() -> None:
    with pytest.raises(OffGridError, match="8 decimals"):
        Asset("USDT", 8).to_units(Decimal("0.000000001"))


@pytest.mark.parametrize(
    ("order_type", "is_stop", "has_limit_price"),
    [
        (OrderType.LIMIT, False, True),
        (OrderType.LIMIT_MAKER, False, True),
        (OrderType.MARKET, False, False),
        (OrderType.STOP_LOSS, True, False),
        (OrderType.STOP_LOSS_LIMIT, True, True),
        (OrderType.TAKE_PROFIT, True, False),
        (OrderType.TAKE_PROFIT_LIMIT, True, True),
    ],
)
def test_order_type_properties(order_type: OrderType, is_stop: bool, has_limit_price: bool) -> None:
    assert order_type.is_stop is is_stop
    assert order_type.has_limit_price is has_limit_price


def test_only_new_and_partially_filled_are_open() -> None:
    assert {status for status in OrderStatus if status.is_open} == {
        OrderStatus.NEW,
        OrderStatus.PARTIALLY_FILLED,
    }


def test_commands_and_events_round_trip_through_json_with_their_tag() -> None:
    command = PlaceOrder(
        timestamp=1, user_id=2, symbol="BTCUSDT", side=Side.BUY, price=3, quantity=4
    )
    encoded = msgspec.json.encode(command)
    assert b'"command":"PlaceOrder"' in encoded
    assert msgspec.json.decode(encoded, type=EngineCommand) == command
    event = OrderAccepted(
        timestamp=1,
        order_id=1,
        user_id=2,
        symbol="BTCUSDT",
        client_order_id="c",
        side=Side.SELL,
        order_type=OrderType.LIMIT,
        time_in_force="GTC",  # type: ignore[arg-type]
        price=3,
        stop_price=None,
        quantity=4,
        quote_amount=None,
        self_trade_prevention="NONE",  # type: ignore[arg-type]
        locked_asset="BTC",
        locked=4,
        priority=1,
        queue_ahead=0,
    )
    assert msgspec.json.decode(msgspec.json.encode(event), type=Event) == msgspec.json.decode(
        msgspec.json.encode(event), type=OrderAccepted
    )


def test_commands_are_frozen() -> None:
    command = PlaceOrder(timestamp=1, user_id=2, symbol="X", side=Side.BUY)
    with pytest.raises(AttributeError):
        command.user_id = 3  # type: ignore[misc]
