"""Parity with a peer: the 50/200 crossover, 0.1 % fee per side, all-in, next-open fills, on a
seeded random walk gives the same trades and the same final equity as backtesting.py.

backtesting.py trades whole units, so the run here rounds to a step of 1 (a price near 300 and
100,000 of cash make that a few hundred units)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from backtesting import Backtest
from backtesting import Strategy as PeerStrategy
from backtesting.lib import crossover

from paperex.backtest.bars import Bars
from paperex.backtest.execution import Execution, execute
from paperex.backtest.random_walk import random_walk_bars
from paperex.backtest.strategies import BarData, SmaCross

CASH = 100_000.0
FEE = 0.001


def rolling_mean(values: np.ndarray, period: int) -> np.ndarray:
    return pd.Series(values).rolling(period).mean().to_numpy()


class PeerCrossover(PeerStrategy):  # type: ignore[misc]
    fast = 50
    slow = 200

    def init(self) -> None:
        self.fast_average = self.I(rolling_mean, self.data.Close, self.fast)
        self.slow_average = self.I(rolling_mean, self.data.Close, self.slow)

    def next(self) -> None:
        if crossover(self.fast_average, self.slow_average):
            self.buy()
        elif crossover(self.slow_average, self.fast_average):
            self.position.close()


def peer_run(bars: Bars) -> tuple[pd.DataFrame, float]:
    frame = pd.DataFrame(
        {
            "Open": bars.open,
            "High": bars.high,
            "Low": bars.low,
            "Close": bars.close,
            "Volume": bars.volume,
        },
        index=pd.to_datetime(bars.time, unit="ms"),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        stats = Backtest(frame, PeerCrossover, cash=CASH, commission=FEE).run()
    return stats._trades, float(stats["Equity Final [$]"])


@pytest.mark.parametrize("seed", [7, 11])
def test_the_crossover_matches_backtesting_py(seed: int) -> None:
    bars = random_walk_bars(20_000, seed=seed, start_price=300.0)
    fills = execute(
        bars,
        SmaCross(fast=50, slow=200).signals(BarData(bars)),
        Execution(cash=CASH, fee=FEE, step_size=1),
    )
    peer_trades, peer_equity = peer_run(bars)
    ours = [
        (t.entry_index, t.exit_index, t.quantity, t.entry_price, t.exit_price)
        for t in fills.trades
        if not t.is_open  # the peer lists closed trades only
    ]
    theirs = [
        (
            int(row.EntryBar),
            None if pd.isna(row.ExitBar) else int(row.ExitBar),
            float(row.Size),
            float(row.EntryPrice),
            None if pd.isna(row.ExitPrice) else float(row.ExitPrice),
        )
        for row in peer_trades.itertuples()
    ]
    assert len(ours) > 20
    assert ours == theirs
    assert fills.equity[-1] == pytest.approx(peer_equity, rel=1e-9)
