from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest

from paperex.marketdata.aggregation import CountWindowAverage, TimeWindowAverage

MINUTE = 60_000


def test_five_minute_average_of_price_follows_the_window() -> None:
    average = TimeWindowAverage(5 * MINUTE)
    assert average.value() is None
    average.add(0, Decimal("190"))
    average.add(1 * MINUTE, Decimal("191"))
    average.add(2 * MINUTE, Decimal("195"))
    assert average.value() == Decimal("192")
    average.add(5 * MINUTE, Decimal("196"))  # (0, 5m]: the sample at 0 leaves
    assert average.value() == Decimal("194")
    assert len(average) == 3
    assert average.value(6 * MINUTE + 1) == Decimal("195.5")  # 1m's sample left too
    assert average.value(20 * MINUTE) is None


def test_last_n_average_waits_for_n_values_then_slides() -> None:
    average = CountWindowAverage(3)
    for close in ("10", "11"):
        average.add(Decimal(close))
    assert average.value() is None
    average.add(Decimal("12"))
    assert average.value() == Decimal("11")
    average.add(Decimal("16"))
    assert average.value() == Decimal("13")
    assert len(average) == 3


@pytest.mark.parametrize("build", [lambda: TimeWindowAverage(0), lambda: CountWindowAverage(0)])
def test_window_must_be_positive(build: Callable[[], object]) -> None:
    with pytest.raises(ValueError, match="positive"):
        build()
