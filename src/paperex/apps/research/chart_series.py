"""A backtest's curves thinned out for a chart: a browser draws a thousand points as well as a
million bars."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from paperex.backtest.bars import Floats
from paperex.backtest.run import BacktestResult

MOST_POINTS = 1_000


def chart_series(result: BacktestResult, most: int = MOST_POINTS) -> dict[str, Any]:
    """Time, close, equity, buy-and-hold equity and drawdown at no more than ``most`` evenly
    spaced bars, the first and the last among them (plain striding: a spike between two
    chosen bars does not show)."""
    count = len(result.bars)
    chosen = np.unique(np.linspace(0, count - 1, num=min(count, most)).round().astype(np.int64))
    curves: dict[str, Floats] = {
        "close": result.bars.close,
        "equity": result.fills.equity,
        "buy_and_hold": result.buy_and_hold,
        "drawdown": result.drawdown,
    }
    return {
        "time": result.bars.time[chosen].tolist(),
        **{name: _json_floats(values[chosen]) for name, values in curves.items()},
    }


def _json_floats(values: Floats) -> list[float | None]:
    """JSON has no NaN: None stands for it."""
    return [None if math.isnan(value) else value for value in values.tolist()]
