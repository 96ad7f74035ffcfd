"""The rolling price window behind the stock monitor's alert and "moves N% within M minutes"."""

from __future__ import annotations

from decimal import Decimal

import pytest

from paperex.marketdata.aggregation import PriceWindow

MINUTE = 60_000


def test_prices_older_than_the_span_leave_and_the_boundary_stays() -> None:
    window = PriceWindow(MINUTE)
    window.add(0, Decimal("100"))
    window.add(30_000, Decimal("101"))
    window.add(60_000, Decimal("102"))  # the sample at 0 is exactly a minute old: it stays
    assert window.first(since_ms=0) == Decimal("100")
    window.add(60_001, Decimal("103"))  # now it is older than a minute
    assert window.first(since_ms=0) == Decimal("101")
    assert window.extremes(since_ms=0) == (Decimal("101"), Decimal("103"))


def test_first_and_extremes_look_only_at_or_after_since() -> None:
    window = PriceWindow(10 * MINUTE)
    for minute, price in enumerate(["100", "97", "104", "99", "101"]):
        window.add(minute * MINUTE, Decimal(price))
    assert window.first(since_ms=2 * MINUTE) == Decimal("104")
    assert window.first(since_ms=2 * MINUTE - 1) == Decimal("104")
    assert window.first(since_ms=2 * MINUTE + 1) == Decimal("99")
    assert window.extremes(since_ms=0) == (Decimal("97"), Decimal("104"))
    assert window.extremes(since_ms=3 * MINUTE) == (Decimal("99"), Decimal("101"))
    assert window.first(since_ms=5 * MINUTE) is None
    assert window.extremes(since_ms=5 * MINUTE) is None


def test_the_latest_price_of_a_resolution_step_is_its_sample_and_late_prices_are_ignored() -> None:
    window = PriceWindow(MINUTE, resolution_ms=1_000)
    window.add(5_100, Decimal("10"))
    window.add(5_900, Decimal("12"))  # same second: replaces 10
    window.add(6_000, Decimal("11"))
    window.add(5_950, Decimal("50"))  # before the latest second: ignored
    assert window.first(since_ms=5_000) == Decimal("12")
    assert window.extremes(since_ms=0) == (Decimal("11"), Decimal("12"))
    assert window.first(since_ms=5_001) == Decimal("11")  # the 5 s sample counts as at 5 000


def test_an_empty_window_has_no_prices() -> None:
    window = PriceWindow(MINUTE)
    assert window.first(since_ms=0) is None
    assert window.extremes(since_ms=0) is None


@pytest.mark.parametrize(("span_ms", "resolution_ms"), [(0, 1), (MINUTE, 0), (-1, 1)])
def test_a_span_or_resolution_that_is_not_positive_is_refused(
    span_ms: int, resolution_ms: int
) -> None:
    with pytest.raises(ValueError, match="must be positive"):
        PriceWindow(span_ms, resolution_ms=resolution_ms)
