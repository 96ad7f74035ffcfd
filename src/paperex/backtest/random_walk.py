"""Seeded random-walk bars: data to try a strategy on with nothing recorded, and the data of
the parity test and of bench/backtest.py."""

from __future__ import annotations

import numpy as np

from paperex.backtest.bars import Bars

MINUTE_MS = 60_000
START_MS = 1_704_067_200_000  # 2024-01-01T00:00:00Z


def random_walk_bars(count: int, seed: int = 7, start_price: float = 30_000.0) -> Bars:
    """``count`` one-minute bars of a geometric random walk; each bar opens near the previous
    close. Prices are not rounded to a tick: on a tick grid, a fast and a slow average can be
    exactly equal, and then float rounding, which differs between implementations, decides
    whether they crossed."""
    rng = np.random.default_rng(seed)
    close = start_price * np.exp(np.cumsum(rng.normal(0, 0.001, count)))
    previous = np.concatenate(([start_price], close[:-1]))
    open_ = previous * (1 + rng.normal(0, 0.0002, count))
    wick = np.abs(rng.normal(0, 0.0005, count))
    high = np.maximum(open_, close) * (1 + wick)
    low = np.minimum(open_, close) * (1 - wick)
    volume = np.round(rng.uniform(0.1, 5, count), 4)
    time = START_MS + MINUTE_MS * np.arange(count, dtype=np.int64)
    return Bars(time, open_, high, low, close, volume, symbol="BTCUSDT", interval="1m")
