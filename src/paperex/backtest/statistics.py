"""A backtest's statistics: its equity curve's returns, risk and drawdowns, and its trades.

Per-bar returns are simple returns, ``equity[i] / equity[i - 1] - 1``. Annualized figures
assume trading all year round, as crypto markets do: a year is 365 days of bars, with no
weekends or holidays left out. The risk-free rate is 0.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, fields

import numpy as np
import numpy.typing as npt

from paperex.backtest.bars import Floats, Times
from paperex.backtest.trades import Trade

YEAR_MS = 365 * 24 * 60 * 60 * 1000

# Per-bar returns of a curve growing at a steady rate still differ in their last bits; a standard
# deviation this small is that rounding, not risk, and dividing by it would give an absurd ratio.
ROUNDING_NOISE = 64 * float(np.finfo(np.float64).eps)

SIGNIFICANT_DIGITS = 12


def drawdown(equity: Floats) -> Floats:
    """Each bar's equity over the highest equity so far, minus 1: 0 at a new high, -0.25 a
    quarter below it."""
    # In place: a fresh array per step costs more than the arithmetic on a million bars.
    result: Floats = np.maximum.accumulate(equity)
    np.divide(equity, result, out=result)
    result -= 1.0
    return result


def periods_per_year(time: Times) -> float:
    """How many bars a year holds: 365 days (crypto trades every day) over the median spacing
    of ``time`` (UTC ms). Raises ValueError for fewer than 2 times or times that do not
    increase."""
    if len(time) < 2:
        raise ValueError("periods per year: needs at least 2 times")
    return YEAR_MS / median_spacing(time)


def median_spacing(time: Times) -> float:
    """The median time between consecutive bars, in ms."""
    spacing = np.diff(time)
    first = spacing[0]
    # Bars are nearly always evenly spaced; checking that is far cheaper than a median.
    median = float(first) if bool(np.all(spacing == first)) else float(np.median(spacing))
    if median <= 0:
        raise ValueError("periods per year: times must increase")
    return median


@dataclass(frozen=True)
class Statistics:
    """A backtest's figures. Returns and drawdowns are fractions (0.05 is +5 %), times and
    durations UTC ms. A figure that is undefined (a ratio over a zero standard deviation, a
    trade figure without closed trades) is None."""

    start: int
    """The first bar's time."""
    end: int
    """The last bar's time."""
    start_equity: float
    final_equity: float
    peak_equity: float
    total_return: float
    """``final_equity / start_equity - 1``."""
    annualized_return: float | None
    """The total return compounded to a year: ``(final / start) ** (periods_per_year / (n - 1))
    - 1`` over n bars; None for a final equity below 0 or one too large for a float."""
    volatility: float | None
    """The standard deviation of per-bar returns (ddof=1) times ``sqrt(periods_per_year)``."""
    sharpe: float | None
    """The mean per-bar return over their standard deviation, times ``sqrt(periods_per_year)``."""
    sortino: float | None
    """The mean per-bar return over the downside deviation ``sqrt(mean(min(r, 0) ** 2))`` of
    all per-bar returns, times ``sqrt(periods_per_year)``."""
    max_drawdown: float
    """The lowest ``drawdown`` (0 or below)."""
    max_drawdown_duration: int
    """The longest time from a high until equity first gets back to it, or until the last bar
    when it never does."""
    trades: int
    """Closed trades; the trade figures below are over these."""
    open_trades: int
    win_rate: float | None
    """The share of closed trades with a P&L above 0."""
    profit_factor: float | None
    """The sum of the winning trades' P&L over the losing trades' summed loss; None without a
    loss."""
    average_trade: float | None
    """The mean ``return_fraction``."""
    best_trade: float | None
    worst_trade: float | None
    exposure: float
    """The share of bars with a position."""

    def as_dict(self) -> dict[str, float | int | None]:
        """The figures by name, ready for JSON: floats to 12 significant digits."""
        return {field.name: json_ready(getattr(self, field.name)) for field in fields(self)}


def json_ready(value: float | int | None) -> float | int | None:
    if isinstance(value, float):
        return float(f"{value:.{SIGNIFICANT_DIGITS}g}")
    return value


def statistics(
    equity: Floats,
    time: Times,
    trades: Sequence[Trade],
    in_market: npt.NDArray[np.bool_],
    *,
    periods_per_year: float | None = None,
) -> Statistics:
    """The statistics of a backtest: its equity and time (UTC ms) at each bar, its trades,
    and whether it held a position at each bar. Periods per year come from ``time`` when not
    given. Raises ValueError for arrays of different lengths, fewer than 2 bars, or a start
    equity that is not above 0; equity that reaches 0 before the last bar has no returns after
    it."""
    check_inputs(equity, time, in_market)
    per_year = bars_a_year(time, periods_per_year)
    returns = np.divide(equity[1:], equity[:-1])
    returns -= 1.0
    volatility, sharpe, sortino = return_ratios(returns, per_year)
    drawdowns = drawdown(equity)
    closed = [trade for trade in trades if not trade.is_open]
    pnls = [trade.pnl for trade in closed]
    fractions = [trade.return_fraction for trade in closed]
    return Statistics(
        start=int(time[0]),
        end=int(time[-1]),
        start_equity=float(equity[0]),
        final_equity=float(equity[-1]),
        peak_equity=float(equity.max()),
        total_return=float(equity[-1] / equity[0] - 1.0),
        annualized_return=annualized_return(equity, per_year),
        volatility=volatility,
        sharpe=sharpe,
        sortino=sortino,
        max_drawdown=float(drawdowns.min()),
        max_drawdown_duration=max_drawdown_duration(drawdowns, time),
        trades=len(closed),
        open_trades=len(trades) - len(closed),
        win_rate=win_rate(pnls),
        profit_factor=profit_factor(pnls),
        average_trade=average_trade(fractions),
        best_trade=max(fractions, default=None),
        worst_trade=min(fractions, default=None),
        exposure=int(np.count_nonzero(in_market)) / len(in_market),
    )


def check_inputs(equity: Floats, time: Times, in_market: npt.NDArray[np.bool_]) -> None:
    if not len(equity) == len(time) == len(in_market):
        raise ValueError("statistics: equity, time and in_market differ in length")
    if len(equity) < 2:
        raise ValueError("statistics: needs at least 2 bars")
    if not equity[0] > 0:
        raise ValueError(f"statistics: the start equity must be above 0, not {equity[0]}")


def bars_a_year(time: Times, given: float | None) -> float:
    """``given``, else ``periods_per_year(time)``."""
    return periods_per_year(time) if given is None else given


def annualized_return(equity: Floats, per_year: float) -> float | None:
    growth = float(equity[-1] / equity[0])
    if growth < 0:
        return None
    try:
        return float(growth ** (per_year / (len(equity) - 1)) - 1.0)
    except OverflowError:
        return None


def return_ratios(
    returns: Floats, per_year: float
) -> tuple[float | None, float | None, float | None]:
    """The volatility, Sharpe ratio and Sortino ratio of per-bar returns, annualized."""
    scale = math.sqrt(per_year)
    mean = float(returns.mean())
    deviation = float(returns.std(ddof=1)) if len(returns) > 1 else None
    losses = np.minimum(returns, 0.0)
    downside = math.sqrt(float(np.dot(losses, losses)) / len(returns))
    volatility = None if deviation is None else deviation * scale
    return volatility, ratio(mean, deviation, scale), ratio(mean, downside, scale)


def ratio(mean: float, deviation: float | None, scale: float) -> float | None:
    if deviation is None or deviation <= ROUNDING_NOISE:
        return None
    return mean / deviation * scale


def max_drawdown_duration(drawdowns: Floats, time: Times) -> int:
    """The longest time from a bar at a high to the next bar back at it (or the last bar)."""
    at_high = np.flatnonzero(drawdowns == 0.0)
    # Two highs in a row have no drawdown between them; later highs are recoveries.
    underwater = np.diff(at_high) > 1
    recovered = time[at_high[1:][underwater]] - time[at_high[:-1][underwater]]
    never_recovered = time[-1] - time[at_high[-1]]
    return int(max(never_recovered, recovered.max(initial=0)))


def win_rate(pnls: Sequence[float]) -> float | None:
    """The share of closed trades (their P&L after fees) that made money."""
    if not pnls:
        return None
    return sum(pnl > 0 for pnl in pnls) / len(pnls)


def profit_factor(pnls: Sequence[float]) -> float | None:
    """Gross profit over gross loss of the closed trades' P&L; None without a loss."""
    gross_profit = sum(pnl for pnl in pnls if pnl > 0)
    gross_loss = -sum(pnl for pnl in pnls if pnl < 0)
    return gross_profit / gross_loss if gross_loss > 0 else None


def average_trade(fractions: Sequence[float]) -> float | None:
    """The mean return of the closed trades."""
    if not fractions:
        return None
    return sum(fractions) / len(fractions)
