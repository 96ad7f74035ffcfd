from __future__ import annotations

from decimal import Decimal
from typing import Any

from rest_framework import serializers

from paperex.apps.markets.models import AMOUNT_DIGITS, AMOUNT_PLACES, Asset


def format_amount(value: Decimal) -> str:
    """Plain decimal notation without trailing zeros: Decimal('0.010000') -> '0.01'."""
    text = format(value.normalize(), "f")
    return text if text != "-0" else "0"


class AmountField(serializers.DecimalField):
    """An exact amount as a JSON string, without trailing zeros."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", AMOUNT_DIGITS)
        kwargs.setdefault("decimal_places", AMOUNT_PLACES)
        super().__init__(**kwargs)

    def to_representation(self, value: Decimal) -> str:
        return format_amount(Decimal(value))


def asset_code_field() -> serializers.SlugRelatedField[Asset]:
    """An asset shown by its code, e.g. "BTC"."""
    return serializers.SlugRelatedField(slug_field="code", read_only=True)
