"""A backtest result as a JSON-ready document (the CLI's --json, the REST answer, the input of
the HTML report) and as a few lines of text for a terminal."""

from __future__ import annotations

import dataclasses
import math
from datetime import UTC, datetime
from typing import Any

import numpy as np

from paperex.backtest.bars import Floats
from paperex.backtest.run import BacktestResult, SweepResult
from paperex.backtest.trades import LONG, Trade


def result_document(
    result: BacktestResult, sweep: SweepResult | None = None, *, series: bool = False
) -> dict[str, Any]:
    """The result as plain data; ``series`` adds every bar's prices, equity and drawdown."""
    bars = result.bars
    document: dict[str, Any] = {
        "strategy": {
            "name": result.strategy.name,
            "parameters": dataclasses.asdict(result.strategy),
        },
        "market": {"symbol": bars.symbol, "interval": bars.interval},
        "execution": dataclasses.asdict(result.execution),
        "bars": {"count": len(bars), "start": int(bars.time[0]), "end": int(bars.time[-1])},
        "statistics": result.statistics.as_dict(),
        "buy_and_hold": result.buy_and_hold_statistics.as_dict(),
        "refused_entries": result.fills.refused_entries,
        "trades": [trade_document(trade) for trade in result.fills.trades],
        "sweep": None if sweep is None else sweep_document(sweep),
    }
    if series:
        document["series"] = {
            "time": bars.time.tolist(),
            **{name: _floats(values) for name, values in _series(result).items()},
        }
    return document


def _series(result: BacktestResult) -> dict[str, Floats]:
    bars = result.bars
    return {
        "open": bars.open,
        "high": bars.high,
        "low": bars.low,
        "close": bars.close,
        "equity": result.fills.equity,
        "buy_and_hold": result.buy_and_hold,
        "drawdown": result.drawdown,
    }


def _floats(values: Floats) -> list[float | None]:
    """JSON has no NaN: None stands for it."""
    return [None if math.isnan(value) else value for value in np.asarray(values).tolist()]


def trade_document(trade: Trade) -> dict[str, Any]:
    closed = not trade.is_open
    return {
        "direction": "long" if trade.direction == LONG else "short",
        "quantity": trade.quantity,
        "entry_time": trade.entry_time,
        "entry_price": trade.entry_price,
        "exit_time": trade.exit_time,
        "exit_price": trade.exit_price,
        "fees": trade.fees,
        "pnl": trade.pnl if closed else None,
        "return": trade.return_fraction if closed else None,
    }


def sweep_document(sweep: SweepResult) -> dict[str, Any]:
    best = sweep.best()
    return {
        "statistic": sweep.statistic,
        "parameters": sweep.parameters,
        "values": _nested_floats(sweep.values),
        "best": None if best is None else {"parameters": best[0], "value": best[1]},
    }


def _nested_floats(values: Floats) -> Any:
    """An n-dimensional array as nested lists, None for NaN."""
    if values.ndim == 1:
        return _floats(values)
    return [_nested_floats(row) for row in values]


def summary_lines(result: BacktestResult) -> list[str]:
    """The strategy's main figures beside buy-and-hold, for a terminal."""
    ours, held = result.statistics, result.buy_and_hold_statistics
    bars = result.bars
    parameters = ", ".join(f"{k}={v}" for k, v in dataclasses.asdict(result.strategy).items())
    rows = [
        ("total return", _percent(ours.total_return), _percent(held.total_return)),
        ("annualized return", _percent(ours.annualized_return), _percent(held.annualized_return)),
        ("volatility", _percent(ours.volatility), _percent(held.volatility)),
        ("Sharpe", _number(ours.sharpe), _number(held.sharpe)),
        ("Sortino", _number(ours.sortino), _number(held.sortino)),
        ("max drawdown", _percent(ours.max_drawdown), _percent(held.max_drawdown)),
        ("final equity", _number(ours.final_equity), _number(held.final_equity)),
        ("trades", str(ours.trades), str(held.trades)),
        ("win rate", _percent(ours.win_rate), ""),
        ("profit factor", _number(ours.profit_factor), ""),
        ("exposure", _percent(ours.exposure), _percent(held.exposure)),
    ]
    width = max(len(label) for label, _, _ in rows)
    return [
        f"{result.strategy.name} ({parameters}) on {bars.symbol or 'the data'}"
        f" {bars.interval}: {len(bars):,} bars, {_day(bars.time[0])} to {_day(bars.time[-1])}",
        f"{'':{width}}  {'strategy':>14}  {'buy and hold':>14}",
        *(f"{label:{width}}  {mine:>14}  {theirs:>14}" for label, mine, theirs in rows),
    ]


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.2f} %"


def _number(value: float | None) -> str:
    return "—" if value is None else f"{value:,.2f}"


def _day(milliseconds: np.int64) -> str:
    return datetime.fromtimestamp(int(milliseconds) / 1000, UTC).strftime("%Y-%m-%d %H:%M")
