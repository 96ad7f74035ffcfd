"""How fast is the per-day trade analysis: ours (exact, polars) against pandas, same file, same run.

A seeded day of trades (default 1,000,000 over 50 tickers: 25 crypto pairs with 2 to 4 price
places and 5 or 8 quantity places, 25 stocks with 2 price places and whole or 3-place
quantities; fees on most trades) is written to a temporary ``trades.csv`` in the exact export
format. Then, in alternating rounds:

- ours: ``paperex.analysis.figures.analyze_trades_csv`` on the file's bytes (read included):
  every figure exact, FIFO P&L included.
- pandas: ``pandas.read_csv`` and ``groupby`` computing the same figures (FIFO P&L by
  cumulative sums, as ours) in float64, the straightforward way.

Prints the medians as a table, how far pandas' float notional is from the exact one (in cents,
worst ticker), and one JSON line.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from paperex.analysis.figures import TOTAL, TickerFigures, analyze_trades_csv
from paperex.analysis.trades_csv import HEADER

DAY_START = 1_737_331_200  # 2025-01-20T00:00:00Z
MICROSECONDS_A_DAY = 86_400_000_000


def tickers(rng: random.Random) -> list[tuple[str, float, int, int, str]]:
    """(ticker, reference price, price places, quantity places, fee asset) x 50."""
    crypto = [
        (f"C{n:02d}USDT", rng.uniform(0.05, 60_000), rng.choice([2, 4]), rng.choice([5, 8]), "USDT")
        for n in range(25)
    ]
    stocks = [(f"S{n:02d}", rng.uniform(5, 900), 2, rng.choice([0, 3]), "USD") for n in range(25)]
    return crypto + stocks


def utc_stamp(microseconds: int) -> str:
    seconds, fraction = divmod(microseconds, 1_000_000)
    minutes, second = divmod(seconds, 60)
    hour, minute = divmod(minutes, 60)
    return f"2025-01-20T{hour:02d}:{minute:02d}:{second:02d}.{fraction:06d}Z"


def generate(path: Path, rows: int, seed: int) -> None:
    """Writes a day of ``rows`` trades in (timestamp, id) order to ``path``."""
    rng = random.Random(seed)
    symbols = tickers(rng)
    users = [f"trader{n}" for n in range(500)]
    step = MICROSECONDS_A_DAY // rows
    with path.open("w") as file:
        file.write(HEADER.decode())
        lines = []
        for number in range(1, rows + 1):
            ticker, reference, price_places, quantity_places, asset = rng.choice(symbols)
            price = round(reference * (1 + rng.uniform(-0.03, 0.03)), price_places) or reference
            quantity = round(rng.uniform(0.001, 40), quantity_places) or 1.0
            fee = f"{price * quantity * 0.001:.8f}" if number % 5 else ""
            side = "BUY" if rng.random() < 0.5 else "SELL"
            source, order = ("exchange", str(number + 1000)) if number % 3 else ("manual", "")
            stamp = utc_stamp((number - 1) * step + rng.randrange(step))
            lines.append(
                f"{number},{rng.choice(users)},{ticker},{side},{price:.{price_places}f},"
                f"{quantity:.{quantity_places}f},{fee},{asset if fee else ''},{stamp},"
                f"{source},{order}\n"
            )
            if len(lines) == 10_000:
                file.writelines(lines)
                lines.clear()
        file.writelines(lines)


def ours(path: Path) -> tuple[TickerFigures, ...]:
    return analyze_trades_csv(path)


def pandas_baseline(path: Path) -> pd.DataFrame:
    """The same figures per ticker with pandas, in float64."""
    trades = pd.read_csv(path)
    trades["time"] = pd.to_datetime(trades["timestamp"], format="ISO8601", utc=True)
    trades = trades.sort_values(["time", "id"], kind="stable")
    buy = trades["side"] == "BUY"
    trades["notional"] = trades["price"] * trades["quantity"]
    trades["bought"] = trades["quantity"].where(buy, 0.0)
    trades["sold"] = trades["quantity"].where(~buy, 0.0)
    figures = trades.groupby("ticker").agg(
        trades=("id", "size"),
        buy_quantity=("bought", "sum"),
        sell_quantity=("sold", "sum"),
        volume=("quantity", "sum"),
        notional=("notional", "sum"),
        high=("price", "max"),
        low=("price", "min"),
        first_trade=("time", "min"),
        last_trade=("time", "max"),
        fees=("fee", "sum"),
    )
    figures["vwap"] = figures["notional"] / figures["volume"]
    matched = np.minimum(figures["buy_quantity"], figures["sell_quantity"])
    before = trades.groupby(["ticker", "side"])["quantity"].cumsum() - trades["quantity"]
    in_match = (trades["ticker"].map(matched) - before).clip(lower=0).clip(upper=trades["quantity"])
    signed = trades["price"] * in_match * np.where(buy, -1.0, 1.0)
    figures["realized_pnl"] = signed.groupby(trades["ticker"]).sum()
    return figures


def timed(function: Callable[[Path], Any], path: Path) -> tuple[float, Any]:
    started = time.perf_counter()
    result = function(path)
    return time.perf_counter() - started, result


def worst_notional_cents(exact: tuple[TickerFigures, ...], floats: pd.DataFrame) -> Decimal:
    """The largest |pandas notional - exact notional| over the tickers, in cents."""
    return max(
        abs(Decimal(float(floats.loc[row.ticker, "notional"])) - row.notional) * 100
        for row in exact
        if row.ticker != TOTAL
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds (median)")
    arguments = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="paperex-bench-") as folder:
        path = Path(folder) / "trades.csv"
        generate(path, arguments.rows, arguments.seed)
        size = path.stat().st_size
        seconds: dict[str, list[float]] = {"paperex (polars, exact)": [], "pandas (float64)": []}
        for _ in range(arguments.rounds):
            elapsed, exact = timed(ours, path)
            seconds["paperex (polars, exact)"].append(elapsed)
            elapsed, floats = timed(pandas_baseline, path)
            seconds["pandas (float64)"].append(elapsed)

    medians = {name: statistics.median(values) for name, values in seconds.items()}
    rates = {name: arguments.rows / value for name, value in medians.items()}
    ours_rate, pandas_rate = rates.values()
    cents = worst_notional_cents(exact, floats)
    tickers_seen = len(exact) - 1
    print(
        f"{arguments.rows:,} trades, {tickers_seen} tickers, {size / 1e6:.1f} MB, "
        f"seed {arguments.seed}, {arguments.rounds} rounds"
    )
    header = f"{'analysis':<26}{'median s':>10}{'best s':>10}{'rows/s':>14}"
    print(header)
    print("-" * len(header))
    for name, values in seconds.items():
        print(f"{name:<26}{medians[name]:>10.3f}{min(values):>10.3f}{rates[name]:>14,.0f}")
    print(f"ratio ours/pandas: {ours_rate / pandas_rate:.2f}x")
    print(f"pandas float notional vs exact, worst ticker: {cents:.4f} cents")
    print(
        json.dumps(
            {
                "bench": "journal_analysis",
                "rows": arguments.rows,
                "tickers": tickers_seen,
                "file_bytes": size,
                "seed": arguments.seed,
                "rounds": arguments.rounds,
                "median_seconds": {name: round(value, 4) for name, value in medians.items()},
                "rows_per_second": {name: round(value) for name, value in rates.items()},
                "ratio_vs_pandas": round(ours_rate / pandas_rate, 3),
                "pandas_worst_notional_error_cents": float(round(cents, 6)),
            }
        )
    )


if __name__ == "__main__":
    main()
