"""A backtest end to end: a strategy's signals on bars, filled, measured, beside buy-and-hold;
and a parameter sweep over a grid, sharing the indicators between its runs."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from paperex.backtest.bars import Bars, Floats
from paperex.backtest.execution import Execution, Fills, execute
from paperex.backtest.statistics import Statistics, drawdown, statistics
from paperex.backtest.strategies import (
    BarData,
    BuyAndHold,
    Strategy,
    StrategyError,
    make_strategy,
    require_parameters,
)


class BacktestError(ValueError):
    """Data a strategy cannot run on (too few bars); one line."""


@dataclass(frozen=True)
class BacktestResult:
    """What a strategy did on the bars; what holding would have done is worked out when first
    asked (a sweep never asks)."""

    bars: Bars
    strategy: Strategy
    execution: Execution
    fills: Fills
    statistics: Statistics

    @cached_property
    def drawdown(self) -> Floats:
        return drawdown(self.fills.equity)

    @cached_property
    def held(self) -> Fills:
        """Buying on the first fill and holding, under the same execution."""
        return execute(self.bars, BuyAndHold().signals(BarData(self.bars)), self.execution)

    @property
    def buy_and_hold(self) -> Floats:
        return self.held.equity

    @cached_property
    def buy_and_hold_statistics(self) -> Statistics:
        held = self.held
        return statistics(held.equity, self.bars.time, held.trades, held.in_market)


def require_enough_bars(strategy: Strategy, count: int) -> None:
    """Raises BacktestError unless ``count`` bars are more than the strategy's warm-up."""
    needed = max(strategy.warmup, 1)
    if count <= needed:
        raise BacktestError(f"{strategy.name} needs more than {needed} bars; the data has {count}")


def run_backtest(
    bars: Bars, strategy: Strategy, execution: Execution, data: BarData | None = None
) -> BacktestResult:
    """Runs ``strategy`` on ``bars``; ``data`` (the same bars) shares indicators between runs.
    Raises BacktestError when there are not more bars than the strategy's warm-up."""
    require_enough_bars(strategy, len(bars))
    fills = execute(bars, strategy.signals(data or BarData(bars)), execution)
    return BacktestResult(
        bars=bars,
        strategy=strategy,
        execution=execution,
        fills=fills,
        statistics=statistics(fills.equity, bars.time, fills.trades, fills.in_market),
    )


@dataclass(frozen=True)
class SweepResult:
    """A statistic over a grid of parameters: ``values[i, j, …]`` is the run with the i-th
    value of the first parameter, the j-th of the second, …; NaN where the parameters make no
    sense together (e.g. slow ≤ fast) or the statistic is undefined."""

    parameters: dict[str, list[Any]]
    statistic: str
    values: Floats

    def best(self) -> tuple[dict[str, Any], float] | None:
        """The parameters with the highest value, and that value; None when all are NaN."""
        if np.all(np.isnan(self.values)):
            return None
        position = np.unravel_index(int(np.nanargmax(self.values)), self.values.shape)
        chosen = {
            name: values[i]
            for (name, values), i in zip(self.parameters.items(), position, strict=True)
        }
        return chosen, float(self.values[position])


def sweep(
    bars: Bars,
    strategy: type[Strategy],
    grid: Mapping[str, Sequence[Any]],
    execution: Execution,
    statistic: str = "total_return",
    on_run: Callable[[int, int], None] | None = None,
) -> SweepResult:
    """Runs ``strategy`` with every combination of ``grid`` (fixed parameters as one-value
    lists) and keeps ``statistic`` (a field of Statistics) of each; ``on_run(done, total)``
    reports progress. Raises StrategyError for an unknown parameter or statistic."""
    if statistic not in Statistics.__dataclass_fields__:
        raise StrategyError(f"unknown statistic {statistic!r}")
    require_parameters(strategy, grid)
    names = list(grid)
    values = np.full([len(grid[name]) for name in names], np.nan)
    data = BarData(bars)
    total = values.size
    for done, position in enumerate(itertools.product(*(range(len(grid[n])) for n in names))):
        given = {name: grid[name][i] for name, i in zip(names, position, strict=True)}
        try:
            chosen = make_strategy(strategy, given)
        except StrategyError:
            chosen = None  # a combination that makes no sense: NaN
        if chosen is not None:
            result = run_backtest(bars, chosen, execution, data)
            value = getattr(result.statistics, statistic)
            values[position] = np.nan if value is None else float(value)
        if on_run is not None:
            on_run(done + 1, total)
    return SweepResult({name: list(grid[name]) for name in names}, statistic, values)
