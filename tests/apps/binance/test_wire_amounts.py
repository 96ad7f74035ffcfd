"""Binance's amounts from Paperex's: the text of an engine reply and a stored Decimal agree."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from paperex.apps.binance.wire import binance_amount
from paperex.apps.core.amounts import format_amount

AMOUNTS = st.decimals(
    min_value=0, max_value=Decimal("999999999999999999"), places=12, allow_nan=False
)


@given(AMOUNTS)
def test_an_amounts_text_reads_as_its_decimal(amount: Decimal) -> None:
    assert binance_amount(format_amount(amount)) == binance_amount(amount)


def test_text_is_padded_to_eight_places_and_keeps_finer_digits() -> None:
    assert binance_amount("0.01") == "0.01000000"
    assert binance_amount("1500") == "1500.00000000"
    assert binance_amount("0") == "0.00000000"
    assert binance_amount("0.000000001") == "0.000000001"
