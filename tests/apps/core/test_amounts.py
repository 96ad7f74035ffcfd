"""Amounts as Paperex writes them."""

from __future__ import annotations

from decimal import Decimal

from paperex.apps.core.amounts import format_amount


def test_an_amount_is_written_plainly_without_trailing_zeros() -> None:
    assert format_amount(Decimal("0.010000")) == "0.01"
    assert format_amount(Decimal("1E+3")) == "1000"
    assert format_amount(Decimal("0E-12")) == "0"


def test_every_digit_of_the_widest_amount_is_kept() -> None:
    # 30 digits, 12 of them decimals: more than Decimal's default 28-digit precision
    widest = "999999999999999999.999999999999"
    assert format_amount(Decimal(widest)) == widest
    assert format_amount(Decimal("15624999999999999.984374999995")) == (
        "15624999999999999.984374999995"
    )
