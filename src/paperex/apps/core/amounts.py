"""Exact amounts as Paperex stores and shows them: database fields, API fields, strings, times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import MAX_PREC, Context, Decimal
from typing import Any

from django.db import models
from rest_framework import serializers

# Exact amounts: 30 digits with 12 after the point covers satoshi-sized steps and trillions.
AMOUNT_DIGITS = 30
AMOUNT_PLACES = 12


def amount_field(**kwargs: object) -> models.DecimalField:  # type: ignore[type-arg]
    """A DecimalField wide enough for any price, quantity or balance in Paperex."""
    return models.DecimalField(max_digits=AMOUNT_DIGITS, decimal_places=AMOUNT_PLACES, **kwargs)  # type: ignore[arg-type]


_EVERY_DIGIT = Context(prec=MAX_PREC)
"""``normalize`` rounds to its context's precision: 28 digits by default, fewer than an amount
may have (``AMOUNT_DIGITS``)."""


def format_amount(value: Decimal) -> str:
    """Plain decimal notation without trailing zeros: Decimal('0.010000') -> '0.01'."""
    text = format(value.normalize(_EVERY_DIGIT), "f")
    return text if text != "-0" else "0"


def amount_or_none(value: Decimal | None) -> str | None:
    """``format_amount``, or None for no value."""
    return None if value is None else format_amount(value)


def iso_z(moment: datetime) -> str:
    """An aware UTC time in ISO 8601 with a ``Z``: 2026-01-02T03:04:05.678000Z."""
    return moment.isoformat().replace("+00:00", "Z")


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ONE_MS = timedelta(milliseconds=1)


def epoch_ms(moment: datetime) -> int:
    """Whole milliseconds since the epoch of an aware time (its microseconds cut off)."""
    return (moment - EPOCH) // ONE_MS


def datetime_of_ms(moment_ms: int) -> datetime:
    """The aware UTC time of ``moment_ms`` milliseconds since the epoch."""
    return EPOCH + moment_ms * ONE_MS


class AmountField(serializers.DecimalField):
    """An exact amount as a JSON string, without trailing zeros."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", AMOUNT_DIGITS)
        kwargs.setdefault("decimal_places", AMOUNT_PLACES)
        super().__init__(**kwargs)

    def to_representation(self, value: Decimal) -> str:
        return format_amount(Decimal(value))


def asset_code_field() -> serializers.SlugRelatedField[Any]:
    """An asset shown by its code, e.g. "BTC"."""
    return serializers.SlugRelatedField(slug_field="code", read_only=True)
