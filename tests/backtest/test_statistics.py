from __future__ import annotations

import json
import math
from collections.abc import Sequence

import numpy as np
import pytest

from paperex.backtest.bars import Floats, Times
from paperex.backtest.statistics import Statistics, drawdown, periods_per_year, statistics
from paperex.backtest.trades import LONG, SHORT, Trade

HOUR = 60 * 60 * 1000
DAY = 24 * HOUR
START = 1_767_225_600_000  # 2026-01-01 00:00 UTC

# Daily bars: returns +10 %, -10 %, +21/99, -25 %, +1/9; highs at bars 0, 1 and 3.
CURVE = [100.0, 110.0, 99.0, 120.0, 90.0, 100.0]
CURVE_RETURNS = [0.1, -0.1, 21 / 99, -0.25, 1 / 9]


def equity_of(values: Sequence[float]) -> Floats:
    return np.array(values, dtype=np.float64)


def daily(bars: int) -> Times:
    return START + DAY * np.arange(bars, dtype=np.int64)


def never_in_market(bars: int) -> np.ndarray:
    return np.zeros(bars, dtype=np.bool_)


def stats_of(
    values: Sequence[float],
    trades: Sequence[Trade] = (),
    *,
    in_market: Sequence[bool] | None = None,
    per_year: float | None = 365.0,
) -> Statistics:
    bars = len(values)
    held = never_in_market(bars) if in_market is None else np.array(in_market, dtype=np.bool_)
    return statistics(equity_of(values), daily(bars), trades, held, periods_per_year=per_year)


def closed(direction: int, quantity: float, entry: float, exit: float, fees: float) -> Trade:
    """A trade closed at ``exit`` with ``fees`` paid half on entry, half on exit."""
    return Trade(direction, quantity, 0, START, entry, fees / 2, 1, START + DAY, exit, fees / 2)


def still_open(entry: float) -> Trade:
    return Trade(LONG, 1.0, 0, START, entry, 0.0)


# pnl 2 * (110 - 100) - 2 = 18, return 18 / 200 = 0.09
WIN = closed(LONG, 2.0, 100.0, 110.0, fees=2.0)
# pnl -(55 - 50) - 1 = -6, return -6 / 50 = -0.12
LOSS = closed(SHORT, 1.0, 50.0, 55.0, fees=1.0)
# pnl 23 - 20 = 3, return 3 / 20 = 0.15
SMALL_WIN = closed(LONG, 1.0, 20.0, 23.0, fees=0.0)
# pnl -(8 - 10) - 2 = 0: neither a win nor a loss
EVEN = closed(SHORT, 1.0, 10.0, 8.0, fees=2.0)


def test_drawdown_is_equity_below_the_running_high() -> None:
    expected = [0.0, 0.0, 99 / 110 - 1, 0.0, 90 / 120 - 1, 100 / 120 - 1]

    assert drawdown(equity_of(CURVE)) == pytest.approx(expected, abs=1e-15)


@pytest.mark.parametrize(
    ("spacing_ms", "expected"),
    [
        pytest.param([DAY, DAY], 365.0, id="daily"),
        pytest.param([HOUR] * 3, 365 * 24.0, id="hourly"),
        pytest.param([73 * DAY], 5.0, id="73 days"),
        pytest.param([HOUR, HOUR, 2 * HOUR], 365 * 24.0, id="a gap, median hourly"),
        pytest.param([HOUR, HOUR, 3 * HOUR, 3 * HOUR], 365 * 12.0, id="even count: midpoint"),
    ],
)
def test_periods_per_year_is_a_year_over_the_median_spacing(
    spacing_ms: list[int], expected: float
) -> None:
    time = START + np.cumsum([0, *spacing_ms]).astype(np.int64)

    assert periods_per_year(time) == pytest.approx(expected, rel=1e-15)


@pytest.mark.parametrize(
    ("time", "message"),
    [
        pytest.param([START], "at least 2 times", id="one time"),
        pytest.param([], "at least 2 times", id="no time"),
        pytest.param([START, START], "must increase", id="equal times"),
        pytest.param([START, START - DAY, START - 2 * DAY], "must increase", id="decreasing"),
    ],
)
def test_periods_per_year_refuses(time: list[int], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        periods_per_year(np.array(time, dtype=np.int64))


def test_the_curves_equity_figures() -> None:
    result = stats_of(CURVE)

    assert result.start == START
    assert result.end == START + 5 * DAY
    assert result.start_equity == 100.0
    assert result.final_equity == 100.0
    assert result.peak_equity == 120.0
    assert result.total_return == 0.0
    assert result.annualized_return == 0.0
    assert result.max_drawdown == pytest.approx(-0.25, abs=1e-15)
    assert result.max_drawdown_duration == 2 * DAY


def test_the_curves_return_ratios() -> None:
    mean = sum(CURVE_RETURNS) / 5
    deviation = math.sqrt(sum((r - mean) ** 2 for r in CURVE_RETURNS) / 4)
    downside = math.sqrt((0.1**2 + 0.25**2) / 5)

    result = stats_of(CURVE, per_year=365.0)

    assert result.volatility == pytest.approx(deviation * math.sqrt(365), rel=1e-12)
    assert result.sharpe == pytest.approx(mean / deviation * math.sqrt(365), rel=1e-12)
    assert result.sortino == pytest.approx(mean / downside * math.sqrt(365), rel=1e-12)


def test_the_ratios_scale_with_the_square_root_of_periods_per_year() -> None:
    daily_figures = stats_of(CURVE, per_year=365.0)
    weekly_figures = stats_of(CURVE, per_year=52.0)
    scale = math.sqrt(52 / 365)

    assert weekly_figures.volatility == pytest.approx(daily_figures.volatility * scale)
    assert weekly_figures.sharpe == pytest.approx(daily_figures.sharpe * scale)
    assert weekly_figures.sortino == pytest.approx(daily_figures.sortino * scale)


def test_annualized_return_compounds_to_a_year_from_the_bars_spacing() -> None:
    # Bars 73 days apart: 5 a year; 2 periods of +5 % compound to 5 of them.
    time = START + 73 * DAY * np.arange(3, dtype=np.int64)

    result = statistics(equity_of([100.0, 105.0, 110.25]), time, [], never_in_market(3))

    assert result.total_return == pytest.approx(0.1025, rel=1e-12)
    assert result.annualized_return == pytest.approx(1.05**5 - 1, rel=1e-12)


@pytest.mark.parametrize(
    ("values", "per_year", "expected"),
    [
        pytest.param([100.0, 121.0], 0.5, 0.1, id="a 2-year bar"),
        pytest.param([100.0, 50.0, 0.0], 365.0, -1.0, id="ruined"),
        pytest.param([100.0, -10.0], 365.0, None, id="below 0: undefined"),
        pytest.param([100.0, 200.0], 1e6, None, id="too large for a float"),
    ],
)
def test_annualized_return_edges(
    values: list[float], per_year: float, expected: float | None
) -> None:
    assert stats_of(values, per_year=per_year).annualized_return == pytest.approx(expected)


@pytest.mark.parametrize(
    ("values", "duration"),
    [
        pytest.param(CURVE, 2 * DAY, id="two drawdowns of 2 days"),
        pytest.param([100.0, 90.0, 95.0, 100.0, 101.0], 3 * DAY, id="back to the peak exactly"),
        pytest.param([100.0, 90.0, 100.0, 95.0, 90.0, 85.0], 3 * DAY, id="never back: to the end"),
        pytest.param([100.0, 50.0, 200.0, 190.0], 2 * DAY, id="deep, then shallow"),
        pytest.param([100.0, 101.0, 102.0], 0, id="only highs"),
        pytest.param([100.0, 100.0, 100.0], 0, id="flat"),
        pytest.param([100.0, 99.0], 1 * DAY, id="2 bars"),
    ],
)
def test_max_drawdown_duration(values: list[float], duration: int) -> None:
    assert stats_of(values).max_drawdown_duration == duration


def test_max_drawdown_duration_counts_time_not_bars() -> None:
    time = START + HOUR * np.array([0, 1, 5, 6, 7], dtype=np.int64)
    equity = equity_of([100.0, 90.0, 100.0, 95.0, 101.0])

    result = statistics(equity, time, [], never_in_market(5), periods_per_year=1.0)

    assert result.max_drawdown_duration == 5 * HOUR


@pytest.mark.parametrize(
    ("values", "max_drawdown"),
    [
        pytest.param(CURVE, -0.25, id="curve"),
        pytest.param([100.0, 50.0, 200.0, 190.0], -0.5, id="deepest first"),
        pytest.param([100.0, 101.0, 102.0], 0.0, id="only highs"),
        pytest.param([100.0, 50.0, 0.0], -1.0, id="ruined"),
    ],
)
def test_max_drawdown(values: list[float], max_drawdown: float) -> None:
    assert stats_of(values).max_drawdown == pytest.approx(max_drawdown, abs=1e-15)


@pytest.mark.parametrize(
    "values",
    [
        pytest.param([100.0] * 5, id="flat"),
        pytest.param([100 * 1.01**bar for bar in range(200)], id="steady +1 % a bar"),
    ],
)
def test_zero_volatility_has_no_sharpe_or_sortino(values: list[float]) -> None:
    result = stats_of(values)

    assert result.volatility == pytest.approx(0.0, abs=1e-12)
    assert result.sharpe is None
    assert result.sortino is None


def test_two_bars_have_no_standard_deviation() -> None:
    result = stats_of([100.0, 90.0], per_year=4.0)

    assert result.volatility is None
    assert result.sharpe is None
    # The one return, -10 %, is its own downside deviation.
    assert result.sortino == pytest.approx(-0.1 / 0.1 * 2.0)


def test_no_losing_bar_has_no_sortino_but_a_sharpe() -> None:
    returns = [0.1, 0.0]
    mean = sum(returns) / 2
    deviation = math.sqrt(sum((r - mean) ** 2 for r in returns) / 1)

    result = stats_of([100.0, 110.0, 110.0], per_year=1.0)

    assert result.sortino is None
    assert result.sharpe == pytest.approx(mean / deviation)


@pytest.mark.parametrize(
    ("trades", "closed_count", "open_count", "win_rate", "profit_factor"),
    [
        pytest.param([WIN, LOSS, SMALL_WIN, still_open(10.0)], 3, 1, 2 / 3, 21 / 6, id="mixed"),
        pytest.param([WIN, SMALL_WIN], 2, 0, 1.0, None, id="no loss"),
        pytest.param([LOSS], 1, 0, 0.0, 0.0, id="only a loss"),
        pytest.param([WIN, EVEN], 2, 0, 0.5, None, id="even is no win and no loss"),
        pytest.param([EVEN, LOSS], 2, 0, 0.0, 0.0, id="even and a loss"),
        pytest.param([still_open(10.0)], 0, 1, None, None, id="only open"),
        pytest.param([], 0, 0, None, None, id="none"),
    ],
)
def test_trade_counts_win_rate_and_profit_factor(
    trades: list[Trade],
    closed_count: int,
    open_count: int,
    win_rate: float | None,
    profit_factor: float | None,
) -> None:
    result = stats_of(CURVE, trades)

    assert result.trades == closed_count
    assert result.open_trades == open_count
    assert result.win_rate == pytest.approx(win_rate)
    assert result.profit_factor == pytest.approx(profit_factor)


@pytest.mark.parametrize(
    ("trades", "average", "best", "worst"),
    [
        pytest.param(
            [WIN, LOSS, SMALL_WIN, still_open(1.0)],
            (0.09 - 0.12 + 0.15) / 3,
            0.15,
            -0.12,
            id="mixed, open left out",
        ),
        pytest.param([LOSS], -0.12, -0.12, -0.12, id="one"),
        pytest.param([still_open(1.0)], None, None, None, id="only open"),
        pytest.param([], None, None, None, id="none"),
    ],
)
def test_average_best_and_worst_trade(
    trades: list[Trade], average: float | None, best: float | None, worst: float | None
) -> None:
    result = stats_of(CURVE, trades)

    assert result.average_trade == pytest.approx(average)
    assert result.best_trade == pytest.approx(best)
    assert result.worst_trade == pytest.approx(worst)


@pytest.mark.parametrize(
    ("in_market", "exposure"),
    [
        pytest.param([True, False, True, True, False, False], 0.5, id="half"),
        pytest.param([False] * 6, 0.0, id="never"),
        pytest.param([True] * 6, 1.0, id="always"),
        pytest.param([False, True, False, False, False, False], 1 / 6, id="one bar"),
    ],
)
def test_exposure_is_the_share_of_bars_with_a_position(
    in_market: list[bool], exposure: float
) -> None:
    assert stats_of(CURVE, in_market=in_market).exposure == pytest.approx(exposure)


@pytest.mark.parametrize(
    "trades", [pytest.param([WIN, LOSS, still_open(1.0)], id="trades"), pytest.param([], id="none")]
)
def test_figures_are_plain_python_values(trades: list[Trade]) -> None:
    result = stats_of(CURVE, trades, in_market=[True] * 6)

    assert {type(value) for value in vars(result).values()} <= {int, float, type(None)}


def test_periods_per_year_come_from_time_when_not_given() -> None:
    assert stats_of(CURVE, per_year=None) == stats_of(CURVE, per_year=365.0)


def test_as_dict_is_json_ready() -> None:
    result = stats_of([3.0, 4.0], [WIN, still_open(1.0)], per_year=1.0)

    figures = result.as_dict()

    assert json.loads(json.dumps(figures)) == figures
    assert figures["total_return"] == 0.333333333333
    assert figures["start"] == START
    assert type(figures["start"]) is int
    assert type(figures["max_drawdown_duration"]) is int
    assert type(figures["trades"]) is int
    assert figures["open_trades"] == 1
    assert figures["sharpe"] is None
    assert figures["profit_factor"] is None
    assert figures["best_trade"] == 0.09
    assert list(figures) == [
        "start",
        "end",
        "start_equity",
        "final_equity",
        "peak_equity",
        "total_return",
        "annualized_return",
        "volatility",
        "sharpe",
        "sortino",
        "max_drawdown",
        "max_drawdown_duration",
        "trades",
        "open_trades",
        "win_rate",
        "profit_factor",
        "average_trade",
        "best_trade",
        "worst_trade",
        "exposure",
    ]


@pytest.mark.parametrize(
    ("equity", "time", "in_market", "message"),
    [
        pytest.param(CURVE, daily(5), [False] * 6, "differ in length", id="short time"),
        pytest.param(CURVE, daily(6), [False] * 5, "differ in length", id="short in_market"),
        pytest.param(CURVE[:5], daily(6), [False] * 6, "differ in length", id="short equity"),
        pytest.param([100.0], daily(1), [False], "at least 2 bars", id="one bar"),
        pytest.param([], daily(0), [], "at least 2 bars", id="no bar"),
        pytest.param([0.0, 1.0], daily(2), [False] * 2, "above 0", id="zero start"),
        pytest.param([-5.0, 1.0], daily(2), [False] * 2, "above 0", id="negative start"),
        pytest.param([math.nan, 1.0], daily(2), [False] * 2, "above 0", id="nan start"),
    ],
)
def test_statistics_refuses(
    equity: list[float], time: Times, in_market: list[bool], message: str
) -> None:
    with pytest.raises(ValueError, match=message) as raised:
        statistics(equity_of(equity), time, [], np.array(in_market, dtype=np.bool_))

    assert "\n" not in str(raised.value)
