from __future__ import annotations

import itertools
import math
from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from paperex.backtest.bars import Floats
from paperex.backtest.indicators import atr, bollinger, ema, rsi, sma

NAN = math.nan


def random_walk(length: int, seed: int, step: float = 30.0, level: float = 30_000.0) -> Floats:
    rng = np.random.default_rng(seed)
    return level + np.cumsum(rng.normal(0.0, step, length))


def bars_around(close: Floats, seed: int) -> tuple[Floats, Floats, Floats]:
    """High, low and close: the high and low stray from the close, sometimes past the previous
    close, so every branch of the true range is taken."""
    rng = np.random.default_rng(seed)
    high = close + rng.uniform(0.0, 40.0, len(close))
    low = close - rng.uniform(0.0, 40.0, len(close))
    return high, low, close


# The references: straightforward loops, one value at a time.


def sma_loop(values: list[float], period: int) -> list[float]:
    return [
        NAN if end < period - 1 else math.fsum(values[end - period + 1 : end + 1]) / period
        for end in range(len(values))
    ]


def seeded_average_loop(values: list[float], period: int, alpha: float) -> list[float]:
    averages = [NAN] * len(values)
    if period <= len(values):
        average = math.fsum(values[:period]) / period
        averages[period - 1] = average
        for index in range(period, len(values)):
            average = (1.0 - alpha) * average + alpha * values[index]
            averages[index] = average
    return averages


def ema_loop(values: list[float], period: int) -> list[float]:
    return seeded_average_loop(values, period, 2.0 / (period + 1))


def rsi_loop(close: list[float], period: int) -> list[float]:
    changes = [after - before for before, after in itertools.pairwise(close)]
    gains = seeded_average_loop([max(change, 0.0) for change in changes], period, 1.0 / period)
    losses = seeded_average_loop([max(-change, 0.0) for change in changes], period, 1.0 / period)
    strengths = [NAN] * len(close)
    for index, (gain, loss) in enumerate(zip(gains, losses, strict=True), start=1):
        if math.isnan(gain):
            continue
        if loss == 0.0:
            strengths[index] = 50.0 if gain == 0.0 else 100.0
        else:
            # 100 - 100 / (1 + RS), less its cancellation when RS is tiny
            strength = gain / loss
            strengths[index] = 100.0 * strength / (1.0 + strength)
    return strengths


def bollinger_std_loop(close: Floats, period: int) -> list[float]:
    return [
        NAN if end < period - 1 else float(np.std(close[end - period + 1 : end + 1]))
        for end in range(len(close))
    ]


def atr_loop(high: list[float], low: list[float], close: list[float], period: int) -> list[float]:
    ranges = [high[0] - low[0]] if high else []
    for index in range(1, len(high)):
        previous = close[index - 1]
        ranges.append(
            max(high[index] - low[index], abs(high[index] - previous), abs(low[index] - previous))
        )
    return seeded_average_loop(ranges, period, 1.0 / period)


def assert_close(actual: Floats, expected: list[float] | Floats, rtol: float = 1e-12) -> None:
    np.testing.assert_allclose(actual, np.asarray(expected, dtype=np.float64), rtol=rtol, atol=0)


# Hand-computed values.


def test_sma_by_hand() -> None:
    # (1+2+3)/3 = 2, (2+3+4)/3 = 3, (3+4+5)/3 = 4, (4+5+6)/3 = 5
    assert_close(sma([1, 2, 3, 4, 5, 6], 3), [NAN, NAN, 2, 3, 4, 5])


def test_ema_by_hand() -> None:
    # alpha = 2/(3+1) = 1/2; seed (10+11+9)/3 = 10; 10/2 + 12/2 = 11; 11/2 + 15/2 = 13
    assert_close(ema([10, 11, 9, 12, 15], 3), [NAN, NAN, 10, 11, 13])


def test_ema_of_period_one_is_the_values() -> None:
    assert_close(ema([3.5, -1.0, 7.25], 1), [3.5, -1.0, 7.25])


def test_rsi_by_hand() -> None:
    # Changes: +1, -0.5, +1.5, -1, +0.5. Seeds: gain (1+0+1.5)/3 = 5/6, loss 0.5/3 = 1/6:
    # RS = 5, RSI = 100 - 100/6 = 250/3.
    # Change -1: gain (2 * 5/6 + 0)/3 = 5/9, loss (2 * 1/6 + 1)/3 = 4/9: RSI = 100 * 5/9 = 500/9.
    # Change +0.5: gain (2 * 5/9 + 1/2)/3 = 29/54, loss (2 * 4/9)/3 = 16/54: RSI = 2900/45.
    assert_close(rsi([10, 11, 10.5, 12, 11, 11.5], 3), [NAN, NAN, NAN, 250 / 3, 500 / 9, 2900 / 45])


def test_rsi_is_100_without_losses_and_50_when_flat() -> None:
    assert_close(rsi([1, 2, 3, 5, 8], 2), [NAN, NAN, 100, 100, 100])
    assert_close(rsi([4, 4, 4, 4], 2), [NAN, NAN, 50, 50])


def test_bollinger_by_hand() -> None:
    # Windows (2, 4, 6) and (4, 6, 8): means 4 and 6, population variance (4+0+4)/3 = 8/3 both.
    middle, upper, lower = bollinger([2, 4, 6, 8], 3, width=2.0)
    spread = 2 * math.sqrt(8 / 3)
    assert_close(middle, [NAN, NAN, 4, 6])
    assert_close(upper, [NAN, NAN, 4 + spread, 6 + spread])
    assert_close(lower, [NAN, NAN, 4 - spread, 6 - spread])


def test_atr_by_hand() -> None:
    # True ranges: 10-8 = 2; max(12-9, |12-9|, |9-9|) = 3; max(11-9, |11-11|, |9-11|) = 2;
    # max(15-13, |15-10|, |13-10|) = 5 (a gap up); max(12-11, |12-14|, |11-14|) = 3 (a gap down).
    # ATR(2): (2+3)/2 = 2.5, (2.5+2)/2 = 2.25, (2.25+5)/2 = 3.625, (3.625+3)/2 = 3.3125.
    high, low, close = [10, 12, 11, 15, 12], [8, 9, 9, 13, 11], [9, 11, 10, 14, 11.5]
    assert_close(atr(high, low, close, 2), [NAN, 2.5, 2.25, 3.625, 3.3125])


# Against the loop references.


@pytest.mark.parametrize("period", [1, 2, 3, 14, 20, 200])
@pytest.mark.parametrize("seed", [1, 2])
def test_indicators_match_the_loops_on_a_random_walk(period: int, seed: int) -> None:
    close = random_walk(5_000, seed)
    high, low, _ = bars_around(close, seed)
    values = close.tolist()
    assert_close(sma(close, period), sma_loop(values, period))
    assert_close(ema(close, period), ema_loop(values, period))
    assert_close(rsi(close, period), rsi_loop(values, period))
    assert_close(
        atr(high, low, close, period), atr_loop(high.tolist(), low.tolist(), values, period)
    )
    middle, upper, lower = bollinger(close, period, width=2.5)
    deviations = np.asarray(bollinger_std_loop(close, period))
    assert_close(middle, sma_loop(values, period))
    np.testing.assert_allclose(upper - middle, 2.5 * deviations, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(middle - lower, 2.5 * deviations, rtol=1e-9, atol=1e-9)


@given(
    st.lists(st.floats(1.0, 1e5), max_size=40),
    st.integers(1, 45),
)
def test_indicators_match_the_loops_on_any_prices(values: list[float], period: int) -> None:
    close = np.asarray(values, dtype=np.float64)
    assert_close(sma(close, period), sma_loop(values, period), rtol=1e-11)
    assert_close(ema(close, period), ema_loop(values, period), rtol=1e-11)
    assert_close(rsi(close, period), rsi_loop(values, period), rtol=1e-11)
    high, low = close * 1.01, close * 0.99
    expected_atr = atr_loop(high.tolist(), low.tolist(), values, period)
    assert_close(atr(high, low, close, period), expected_atr, rtol=1e-11)
    middle, upper, lower = bollinger(close, period)
    deviations = np.asarray(bollinger_std_loop(close, period))
    assert_close(middle, sma_loop(values, period), rtol=1e-11)
    np.testing.assert_allclose(upper - middle, 2 * deviations, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(middle - lower, 2 * deviations, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("period", [1, 2, 7, 20, 500, 5_000])
def test_sma_is_exact_to_1e_12_on_a_long_random_walk(period: int) -> None:
    close = random_walk(100_000, seed=3)
    averages = sma(close, period)
    ends = np.arange(period - 1, len(close))
    if len(ends) > 5_000:  # a sample of the windows keeps the long periods quick
        ends = np.random.default_rng(period).choice(ends, 5_000, replace=False)
    exact = np.array([math.fsum(close[end - period + 1 : end + 1].tolist()) for end in ends])
    assert np.max(np.abs(averages[ends] - exact / period) / (exact / period)) < 1e-12


@pytest.mark.parametrize("length", [250, 399, 401])
def test_a_long_sma_whose_last_block_is_cut_short_matches_the_loop(length: int) -> None:
    """A long period sums its windows in blocks of the period; here the last one is partial."""
    close = random_walk(length, seed=4)
    assert_close(sma(close, 200), sma_loop(close.tolist(), 200))


@pytest.mark.parametrize("period", [3, 10])
def test_a_nan_spoils_only_the_windows_that_hold_it(period: int) -> None:
    close = random_walk(30, seed=9)
    close[5] = NAN
    spoiled = np.isnan(sma(close, period))
    warm_up_or_spoiled = {*range(period - 1), *range(5, 5 + period)}
    assert np.flatnonzero(spoiled).tolist() == sorted(warm_up_or_spoiled)


@pytest.mark.parametrize("period", [2, 9, 50, 1_000])
def test_ema_matches_the_loop_to_1e_12_on_a_long_random_walk(period: int) -> None:
    close = random_walk(100_000, seed=4)
    assert_close(ema(close, period), ema_loop(close.tolist(), period))


def test_wilder_averages_stay_accurate_as_they_decay_to_nothing() -> None:
    # After a rise, 400 flat bars: the average gain shrinks by 13/14 a bar, to about 1e-13.
    close = np.concatenate((np.arange(1.0, 30.0), np.full(400, 29.0), [28.0]))
    assert_close(rsi(close, 14), rsi_loop(close.tolist(), 14))


def test_bollinger_bands_keep_their_digits_on_tight_prices() -> None:
    # Prices near 30,000 moving by cents, then flat: E[x²] - E[x]² would lose all the digits.
    close = np.concatenate((random_walk(3_000, seed=5, step=0.01), np.full(50, 30_000.1)))
    middle, upper, _ = bollinger(close, 20, width=1.0)
    deviations = np.asarray(bollinger_std_loop(close, 20))
    np.testing.assert_allclose((upper - middle)[:3_000], deviations[:3_000], rtol=1e-9)
    assert np.all(np.abs((upper - middle)[-30:]) < 1e-9)


# Warm-up, bad periods, short data.

Indicator = Callable[[Floats, int], Floats]


def bollinger_upper(close: Floats, period: int) -> Floats:
    return bollinger(close, period)[1]


def bollinger_lower(close: Floats, period: int) -> Floats:
    return bollinger(close, period)[2]


def atr_of_close(close: Floats, period: int) -> Floats:
    return atr(close + 1.0, close - 1.0, close, period)


# Each indicator and the index of its first value.
INDICATORS: list[tuple[Indicator, Callable[[int], int]]] = [
    (sma, lambda period: period - 1),
    (ema, lambda period: period - 1),
    (rsi, lambda period: period),
    (bollinger_upper, lambda period: period - 1),
    (bollinger_lower, lambda period: period - 1),
    (atr_of_close, lambda period: period - 1),
]


@pytest.mark.parametrize(("indicator", "first"), INDICATORS)
@pytest.mark.parametrize("period", [1, 2, 5, 30])
def test_warm_up_is_nan_then_values(
    indicator: Indicator, first: Callable[[int], int], period: int
) -> None:
    result = indicator(random_walk(40, seed=6), period)
    assert len(result) == 40
    assert np.all(np.isnan(result[: first(period)]))
    assert not np.any(np.isnan(result[first(period) :]))


@pytest.mark.parametrize(("indicator", "first"), INDICATORS)
@pytest.mark.parametrize("period", [0, -3])
def test_a_period_below_one_is_refused(
    indicator: Indicator, first: Callable[[int], int], period: int
) -> None:
    with pytest.raises(ValueError, match=f"period must be at least 1, got {period}"):
        indicator(random_walk(10, seed=7), period)


@pytest.mark.parametrize(("indicator", "first"), INDICATORS)
@pytest.mark.parametrize("length", [0, 1, 4])
def test_a_period_longer_than_the_data_gives_all_nan(
    indicator: Indicator, first: Callable[[int], int], length: int
) -> None:
    close = random_walk(length, seed=8)
    for period in (length + 1, length + 10):
        result = indicator(close, period)
        assert len(result) == length
        assert np.all(np.isnan(result))


def test_atr_refuses_columns_of_different_lengths() -> None:
    with pytest.raises(ValueError, match="differ in length"):
        atr([2.0, 3.0], [1.0], [1.5, 2.5], 1)
