"""The backtest command's own arguments: strategy parameters, sweep grids, times."""

from __future__ import annotations

import pytest

from paperex.backtest.arguments import (
    ArgumentError,
    strategy_arguments,
    sweep_grid,
    utc_milliseconds,
)


def test_strategy_parameters_come_as_pairs_in_either_form() -> None:
    assert strategy_arguments(["--fast", "20", "--slow=100", "--lower-band", "25"]) == {
        "fast": "20",
        "slow": "100",
        "lower_band": "25",
    }
    assert strategy_arguments([]) == {}


@pytest.mark.parametrize(
    ("words", "message"),
    [(["20"], "unexpected argument '20'"), (["--fast"], "--fast needs a value")],
)
def test_a_stray_or_missing_value_is_refused(words: list[str], message: str) -> None:
    with pytest.raises(ArgumentError, match=message):
        strategy_arguments(words)


def test_a_sweep_grid_runs_from_start_to_stop_inclusive() -> None:
    assert sweep_grid("fast=10:30:10,slow=50:100:25") == {
        "fast": [10, 20, 30],
        "slow": [50, 75, 100],
    }
    assert sweep_grid("lower=20:30:5, period=14") == {"lower": [20, 25, 30], "period": [14]}
    assert sweep_grid("width=1.5:2.5:0.5") == {"width": [1.5, 2.0, 2.5]}


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("fast", "is not name=start:stop:step"),
        ("fast=10:5:1", "start <= stop"),
        ("fast=1:5:0", "step > 0"),
        ("fast=1:x:1", "'x' in 'fast=1:x:1' is not a number"),
    ],
)
def test_a_bad_sweep_is_one_line(spec: str, message: str) -> None:
    with pytest.raises(ArgumentError, match=message):
        sweep_grid(spec)


def test_times_are_utc_milliseconds() -> None:
    assert utc_milliseconds("2024-01-01") == 1_704_067_200_000
    assert utc_milliseconds("2024-01-01T01:00:00+01:00") == 1_704_067_200_000
    with pytest.raises(ArgumentError, match="not a date"):
        utc_milliseconds("yesterday")
