"""How fast is a backtest: the 50/200 crossover on one-minute bars, ours against backtesting.py.

In one run, on the same seeded random walk (1,000,000 bars by default), 0.1 % fee per side,
all-in, next-open fills:
- ours warm: ``run_backtest`` (signals, fills, equity, statistics, buy-and-hold) in this process,
  the median of several rounds;
- ours cold: a fresh Python process that imports paperex.backtest and runs once (what a user
  waits for on the command line), timed from outside, the median of several;
- backtesting.py: its ``Backtest.run`` on the same bars, once (it takes seconds);
- a 10 x 10 parameter sweep (fast 10..100, slow 110..380) of ours.
- vectorbt, when it is installed (``pip install vectorbt``; it is not a dependency: numba,
  scipy and scikit-learn are a heavy install), warm (its second run in this process) and cold (a
  fresh process: import and JIT), and its 10 x 10 sweep (one ``from_signals`` over 100 columns).
All trade whole units (step 1), so the trades can be compared one for one; the table says how
many closed trades each made and whether they are the same.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
import warnings
from typing import Any

import numpy as np
import pandas as pd
from backtesting import Backtest
from backtesting import Strategy as PeerStrategy
from backtesting.lib import crossover

from paperex.backtest.execution import Execution
from paperex.backtest.random_walk import random_walk_bars
from paperex.backtest.run import run_backtest, sweep
from paperex.backtest.strategies import SmaCross

CASH = 1_000_000.0
FEE = 0.001
START_PRICE = 300.0
COLD_RUN = """
from paperex.backtest.execution import Execution
from paperex.backtest.run import run_backtest
from paperex.backtest.strategies import SmaCross
bars = generated({bars}, {seed}, {price})
run_backtest(bars, SmaCross(50, 200), Execution(cash={cash}, fee={fee}, step_size=1))
"""
VECTORBT_COLD_RUN = """
import numpy as np
import pandas as pd
import vectorbt as vbt
bars = generated({bars}, {seed}, {price})
close, open_ = pd.Series(bars.close), pd.Series(bars.open)
fast, slow = vbt.MA.run(close, 50), vbt.MA.run(close, 200)
vbt.Portfolio.from_signals(
    close,
    fast.ma_crossed_above(slow).shift(1, fill_value=False),
    fast.ma_crossed_below(slow).shift(1, fill_value=False),
    price=open_, fees={fee}, init_cash={cash}, size=np.inf, size_granularity=1,
).final_value()
"""
GENERATING = """
import time
def generated(count, seed, price):
    global generating
    from paperex.backtest.random_walk import random_walk_bars
    started = time.perf_counter()
    bars = random_walk_bars(count, seed=seed, start_price=price)
    generating = time.perf_counter() - started
    return bars
"""
"""Makes the bars of a cold run and times it, so that the run's time leaves it out."""


def rolling_mean(values: np.ndarray, period: int) -> np.ndarray:
    return pd.Series(values).rolling(period).mean().to_numpy()


class PeerCrossover(PeerStrategy):  # type: ignore[misc]
    def init(self) -> None:
        self.fast_average = self.I(rolling_mean, self.data.Close, 50)
        self.slow_average = self.I(rolling_mean, self.data.Close, 200)

    def next(self) -> None:
        if crossover(self.fast_average, self.slow_average):
            self.buy()
        elif crossover(self.slow_average, self.fast_average):
            self.position.close()


def cold_seconds(run: str, count: int, seed: int) -> float:
    """A fresh interpreter running ``run`` (imports included), timed from outside, less the
    time it spent generating the bars."""
    code = GENERATING + run.format(bars=count, seed=seed, price=START_PRICE, cash=CASH, fee=FEE)
    code += "\nprint(generating)\n"
    started = time.perf_counter()
    output = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout
    return time.perf_counter() - started - float(output)


def vectorbt_run(bars: Any) -> Any:
    """vectorbt's crossover: signals on a close, filled at the next open (the shift)."""
    import vectorbt as vbt

    close, open_ = pd.Series(bars.close), pd.Series(bars.open)
    fast, slow = vbt.MA.run(close, 50), vbt.MA.run(close, 200)
    return vbt.Portfolio.from_signals(
        close,
        fast.ma_crossed_above(slow).shift(1, fill_value=False),
        fast.ma_crossed_below(slow).shift(1, fill_value=False),
        price=open_,
        fees=FEE,
        init_cash=CASH,
        size=np.inf,
        size_granularity=1,
    )


def vectorbt_sweep(bars: Any, grid: dict[str, list[int]]) -> Any:
    """vectorbt's sweep: the averages of every window pair as columns, one ``from_signals``."""
    import vectorbt as vbt

    close, open_ = pd.Series(bars.close), pd.Series(bars.open)
    fast_windows = np.repeat(grid["fast"], len(grid["slow"]))
    slow_windows = np.tile(grid["slow"], len(grid["fast"]))
    fast = vbt.MA.run(close, fast_windows.tolist()).ma.to_numpy()
    slow = vbt.MA.run(close, slow_windows.tolist()).ma.to_numpy()
    up = np.zeros(fast.shape, dtype=bool)
    down = np.zeros(fast.shape, dtype=bool)
    up[2:] = (fast[:-2] < slow[:-2]) & (fast[1:-1] > slow[1:-1])  # crossed, then shifted a bar
    down[2:] = (fast[:-2] > slow[:-2]) & (fast[1:-1] < slow[1:-1])
    return vbt.Portfolio.from_signals(
        close,
        up,
        down,
        price=open_,
        fees=FEE,
        init_cash=CASH,
        size=np.inf,
        size_granularity=1,
    ).total_return()


def timed(function: Any, *arguments: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    value = function(*arguments)
    return time.perf_counter() - started, value


def peer_run(bars: Any) -> Any:
    frame = pd.DataFrame(
        {"Open": bars.open, "High": bars.high, "Low": bars.low, "Close": bars.close},
        index=pd.to_datetime(bars.time, unit="ms"),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return Backtest(frame, PeerCrossover, cash=CASH, commission=FEE).run()


def vectorbt_installed() -> bool:
    try:
        import vectorbt  # noqa: F401
    except ImportError:
        return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bars", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rounds", type=int, default=5, help="warm and cold rounds (median)")
    arguments = parser.parse_args()

    bars = random_walk_bars(arguments.bars, seed=arguments.seed, start_price=START_PRICE)
    execution = Execution(cash=CASH, fee=FEE, step_size=1)
    grid = {"fast": list(range(10, 101, 10)), "slow": list(range(110, 381, 30))}
    with_vectorbt = vectorbt_installed()
    seconds: dict[str, list[float]] = {"paperex warm": [], "paperex cold (fresh process)": []}
    if with_vectorbt:
        timed(vectorbt_run, bars)  # compiles its functions
        seconds |= {"vectorbt warm": [], "vectorbt cold (fresh process)": []}
    for _ in range(arguments.rounds):
        elapsed, result = timed(run_backtest, bars, SmaCross(50, 200), execution)
        seconds["paperex warm"].append(elapsed)
        seconds["paperex cold (fresh process)"].append(
            cold_seconds(COLD_RUN, arguments.bars, arguments.seed)
        )
        if with_vectorbt:
            elapsed, portfolio = timed(vectorbt_run, bars)
            seconds["vectorbt warm"].append(elapsed)
    if with_vectorbt:  # tens of seconds each: one round
        seconds["vectorbt cold (fresh process)"].append(
            cold_seconds(VECTORBT_COLD_RUN, arguments.bars, arguments.seed)
        )
    elapsed, peer = timed(peer_run, bars)
    seconds["backtesting.py"] = [elapsed]
    elapsed, swept = timed(sweep, bars, SmaCross, grid, execution)
    seconds["paperex 10x10 sweep"] = [elapsed]
    if with_vectorbt:
        timed(vectorbt_sweep, bars, grid)  # compiles the many-column paths
        seconds["vectorbt 10x10 sweep"] = [timed(vectorbt_sweep, bars, grid)[0]]

    ours = [(t.entry_index, t.exit_index, t.quantity) for t in result.fills.trades if not t.is_open]
    trades = {
        "paperex": ours,
        "backtesting.py": [
            (int(row.EntryBar), int(row.ExitBar), float(row.Size))
            for row in peer._trades.itertuples()
        ],
    }
    finals = {"backtesting.py": float(peer["Equity Final [$]"])}
    if with_vectorbt:
        records = portfolio.trades.records
        closed = records[records["status"] == 1]
        trades["vectorbt"] = [
            (int(row.entry_idx), int(row.exit_idx), float(row.size)) for row in closed.itertuples()
        ]
        finals["vectorbt"] = float(portfolio.final_value())
    medians = {name: statistics.median(values) for name, values in seconds.items()}
    differences = {name: abs(result.fills.equity[-1] / final - 1) for name, final in finals.items()}
    print(f"{arguments.bars:,} one-minute bars, seed {arguments.seed}, 50/200 crossover, 0.1 % fee")
    header = f"{'run':<32}{'seconds':>10}{'bars/s':>16}"
    print(header)
    print("-" * len(header))
    for name, value in medians.items():
        runs = 100 if "sweep" in name else 1
        print(f"{name:<32}{value:>10.3f}{arguments.bars * runs / value:>16,.0f}")
    for name, theirs in trades.items():
        same = "" if name == "paperex" else f", same as paperex's: {theirs == ours}"
        difference = f", final equity off by {differences[name]:.1e}" if name in differences else ""
        print(f"{name}: {len(theirs):,} closed trades{same}{difference}")
    if not with_vectorbt:
        print("vectorbt: not installed (pip install vectorbt to compare)")
    print(
        json.dumps(
            {
                "bench": "backtest",
                "bars": arguments.bars,
                "seed": arguments.seed,
                "rounds": arguments.rounds,
                "median_seconds": {name: round(value, 4) for name, value in medians.items()},
                "closed_trades": {name: len(value) for name, value in trades.items()},
                "same_trades": {name: value == ours for name, value in trades.items()},
                "final_equity_relative_difference": differences,
                "sweep_best": swept.best(),
            }
        )
    )


if __name__ == "__main__":
    main()
