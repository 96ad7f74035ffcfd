"""A price band's multipliers must keep the reference price inside each side's range."""

from __future__ import annotations

from decimal import Decimal

import pytest

from paperex.domain import PercentPriceBySide


def band(down: str, up: str) -> PercentPriceBySide:
    """The same multipliers on both sides."""
    return PercentPriceBySide(
        bid_multiplier_up=Decimal(up),
        bid_multiplier_down=Decimal(down),
        ask_multiplier_up=Decimal(up),
        ask_multiplier_down=Decimal(down),
    )


@pytest.mark.parametrize(("down", "up"), [("0", "1"), ("1", "1"), ("0.2", "5")])
def test_ranges_that_hold_the_reference_price_are_accepted(down: str, up: str) -> None:
    assert band(down, up).bid_multiplier_down == Decimal(down)


@pytest.mark.parametrize(("down", "up"), [("1.01", "2"), ("0.5", "0.99"), ("-0.1", "2")])
def test_ranges_that_leave_out_the_reference_price_are_refused(down: str, up: str) -> None:
    with pytest.raises(
        ValueError, match=f"^bid multipliers must keep 0 <= down <= 1 <= up, not {down} and {up}$"
    ):
        band(down, up)
