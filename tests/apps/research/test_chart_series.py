"""A backtest's curves thinned out to at most a thousand points for a chart."""

from __future__ import annotations

import numpy as np
import pytest

from paperex.apps.research.chart_series import chart_series
from paperex.backtest.bars import Bars
from paperex.backtest.execution import Execution
from paperex.backtest.run import BacktestResult, run_backtest
from paperex.backtest.strategies import SmaCross


def result_on(count: int) -> BacktestResult:
    closes = 100 + np.sin(np.arange(count) / 20) * 5
    bars = Bars.from_arrays(np.arange(count, dtype=np.int64) * 60_000, closes)
    return run_backtest(bars, SmaCross(fast=3, slow=10), Execution())


@pytest.mark.parametrize(("count", "points"), [(12, 12), (1_000, 1_000), (5_001, 1_000)])
def test_at_most_a_thousand_evenly_spaced_points_first_and_last_kept(
    count: int, points: int
) -> None:
    result = result_on(count)
    series = chart_series(result)
    assert all(len(values) == points for values in series.values())
    times = series["time"]
    assert (times[0], times[-1]) == (0, (count - 1) * 60_000)
    gaps = np.diff(times)
    assert gaps.min() > 0
    assert gaps.max() - gaps.min() <= 60_000  # even, to a bar
    position = times.index(times[points // 2])
    bar = times[position] // 60_000
    assert series["equity"][position] == result.fills.equity[bar]
    assert series["drawdown"][-1] == result.drawdown[-1]
