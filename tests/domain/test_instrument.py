from decimal import Decimal

import pytest

from paperex.domain import Instrument, OffGridError, Side

BTCUSDT = Instrument("BTCUSDT", "BTC", "USDT", Decimal("0.01"), Decimal("0.00001"), Decimal(5))


def test_prices_and_quantities_round_trip_through_ticks_and_lots() -> None:
    assert BTCUSDT.price_to_ticks(Decimal("54718.13")) == 5_471_813
    assert BTCUSDT.ticks_to_price(5_471_813) == Decimal("54718.13")
    assert BTCUSDT.quantity_to_lots(Decimal("0.006")) == 600
    assert BTCUSDT.lots_to_quantity(600) == Decimal("0.006")


@pytest.mark.parametrize("price", ["54718.125", "0.001"])
def test_off_tick_prices_are_refused(price: str) -> None:
    with pytest.raises(OffGridError, match=r"tick size 0\.01"):
        BTCUSDT.price_to_ticks(Decimal(price))


def test_off_step_quantities_are_refused() -> None:
    with pytest.raises(OffGridError, match="step size"):
        BTCUSDT.quantity_to_lots(Decimal("0.000001"))


def test_non_positive_grid_is_invalid() -> None:
    with pytest.raises(ValueError, match="must be positive"):
        Instrument("X", "A", "B", Decimal(0), Decimal(1))


def test_side_opposite() -> None:
    assert Side.BUY.opposite is Side.SELL
    assert Side.SELL.opposite is Side.BUY
