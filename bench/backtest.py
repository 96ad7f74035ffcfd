"""How fast is a backtest: the 50/200 crossover on one-minute bars, ours against backtesting.py.

In one run, on the same seeded random walk (1,000,000 bars by default), 0.1 % fee per side,
all-in, next-open fills:
- ours warm: ``run_backtest`` (signals, fills, equity, statistics, buy-and-hold) in this process,
  the median of several rounds;
- ours cold: a fresh Python process that imports paperex.backtest and runs once (what a user
  waits for on the command line), timed from outside, the median of several;
- backtesting.py: its ``Backtest.run`` on the same bars, once (it takes seconds);
- a 10 x 10 parameter sweep (fast 10..100, slow 110..380) of ours.
Both trade whole units (step 1), so the trades can be compared one for one; the table says how
many closed trades each made and whether they are the same. vectorbt is not installed here (its
numba stack pins older numpy releases than Paperex's), so it is not measured.
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
import time
started = time.perf_counter()
from paperex.backtest.execution import Execution
from paperex.backtest.random_walk import random_walk_bars
from paperex.backtest.run import run_backtest
from paperex.backtest.strategies import SmaCross
bars = random_walk_bars({bars}, seed={seed}, start_price={price})
generated = time.perf_counter()
run_backtest(bars, SmaCross(50, 200), Execution(cash={cash}, fee={fee}, step_size=1))
done = time.perf_counter()
print(done - started - (generated - started) + 0.0, generated - started)
"""


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


def cold_seconds(count: int, seed: int) -> float:
    """A fresh interpreter's import and run, data generation excluded (timed inside it, as
    everything but generating the bars)."""
    code = COLD_RUN.format(bars=count, seed=seed, price=START_PRICE, cash=CASH, fee=FEE)
    started = time.perf_counter()
    output = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout
    whole = time.perf_counter() - started
    _, generating = (float(value) for value in output.split())
    return whole - generating


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bars", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rounds", type=int, default=5, help="warm and cold rounds (median)")
    arguments = parser.parse_args()

    bars = random_walk_bars(arguments.bars, seed=arguments.seed, start_price=START_PRICE)
    execution = Execution(cash=CASH, fee=FEE, step_size=1)
    warm: list[float] = []
    cold: list[float] = []
    for _ in range(arguments.rounds):
        started = time.perf_counter()
        result = run_backtest(bars, SmaCross(50, 200), execution)
        warm.append(time.perf_counter() - started)
        cold.append(cold_seconds(arguments.bars, arguments.seed))

    frame = pd.DataFrame(
        {"Open": bars.open, "High": bars.high, "Low": bars.low, "Close": bars.close},
        index=pd.to_datetime(bars.time, unit="ms"),
    )
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        peer = Backtest(frame, PeerCrossover, cash=CASH, commission=FEE).run()
    peer_seconds = time.perf_counter() - started

    grid = {"fast": list(range(10, 101, 10)), "slow": list(range(110, 381, 30))}
    started = time.perf_counter()
    swept = sweep(bars, SmaCross, grid, execution)
    sweep_seconds = time.perf_counter() - started

    ours = [(t.entry_index, t.exit_index, t.quantity) for t in result.fills.trades if not t.is_open]
    theirs = [
        (int(row.EntryBar), int(row.ExitBar), float(row.Size)) for row in peer._trades.itertuples()
    ]
    final_difference = abs(result.fills.equity[-1] / float(peer["Equity Final [$]"]) - 1)
    rows: dict[str, Any] = {
        "paperex warm": statistics.median(warm),
        "paperex cold (fresh process)": statistics.median(cold),
        "backtesting.py": peer_seconds,
        "paperex 10x10 sweep": sweep_seconds,
    }
    print(f"{arguments.bars:,} one-minute bars, seed {arguments.seed}, 50/200 crossover, 0.1 % fee")
    header = f"{'run':<32}{'seconds':>10}{'bars/s':>16}"
    print(header)
    print("-" * len(header))
    for name, seconds in rows.items():
        runs = 100 if "sweep" in name else 1
        print(f"{name:<32}{seconds:>10.3f}{arguments.bars * runs / seconds:>16,.0f}")
    print(
        f"closed trades: paperex {len(ours):,}, backtesting.py {len(theirs):,}; "
        f"same trades: {ours == theirs}; final equity relative difference {final_difference:.1e}"
    )
    print(f"ratio backtesting.py / paperex warm: {peer_seconds / rows['paperex warm']:.0f}x")
    print(
        json.dumps(
            {
                "bench": "backtest",
                "bars": arguments.bars,
                "seed": arguments.seed,
                "rounds": arguments.rounds,
                "seconds": {name: round(value, 4) for name, value in rows.items()},
                "closed_trades": {"paperex": len(ours), "backtesting.py": len(theirs)},
                "same_trades": ours == theirs,
                "final_equity_relative_difference": final_difference,
                "sweep_best": swept.best(),
            }
        )
    )


if __name__ == "__main__":
    main()
