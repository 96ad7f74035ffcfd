"""A bot's decision on each closed bar matches the backtester's trades over the same bars."""

from __future__ import annotations

import numpy as np
import pytest

from paperex.backtest.bars import Bars
from paperex.backtest.execution import Execution
from paperex.backtest.live import bars_needed, holds_after
from paperex.backtest.random_walk import random_walk_bars
from paperex.backtest.run import run_backtest
from paperex.backtest.strategies import BuyAndHold, EmaCross, SmaCross, Strategy

MINUTE = 60_000


def bars_of(closes: list[float] | np.ndarray) -> Bars:
    return Bars.from_arrays(np.arange(len(closes)) * MINUTE, closes)


@pytest.mark.parametrize("strategy", [SmaCross(fast=5, slow=20), EmaCross(fast=5, slow=20)])
def test_a_bot_deciding_bar_by_bar_trades_where_the_backtest_does(strategy: Strategy) -> None:
    bars = random_walk_bars(600, seed=3)
    result = run_backtest(bars, strategy, Execution(fill_at="close"))
    entries, exits = [], []
    holding = False
    for end in range(1, len(bars) + 1):
        start = max(0, end - bars_needed(strategy)) if isinstance(strategy, SmaCross) else 0
        window = Bars.from_arrays(bars.time[start:end], bars.close[start:end])
        now = holds_after(strategy, window, holding=holding)
        if now != holding:
            (entries if now else exits).append(int(bars.time[end - 1]))
        holding = now
    trades = result.fills.trades
    assert entries == [trade.entry_time for trade in trades]
    assert exits == [trade.exit_time for trade in trades if trade.exit_time is not None]
    assert len(entries) > 3


def test_a_bot_stays_as_it_is_until_the_warmup_is_over() -> None:
    strategy = SmaCross(fast=2, slow=3)
    assert holds_after(strategy, bars_of([1.0, 2.0, 3.0]), holding=True) is True
    assert holds_after(strategy, bars_of([1.0, 2.0, 3.0]), holding=False) is False
    rising_cross = [5.0, 4.0, 3.0, 2.0, 9.0]  # the fast average crosses above on the last bar
    assert holds_after(strategy, bars_of(rising_cross), holding=False) is True
    assert holds_after(strategy, bars_of(rising_cross), holding=True) is True
    falling_cross = [1.0, 2.0, 3.0, 4.0, 0.0]
    assert holds_after(strategy, bars_of(falling_cross), holding=True) is False
    assert bars_needed(strategy) == 14


def test_a_buy_and_hold_bot_buys_on_its_first_candle_and_holds() -> None:
    strategy = BuyAndHold()
    assert bars_needed(strategy) == 1
    assert holds_after(strategy, bars_of([5.0]), holding=False) is True
    assert holds_after(strategy, bars_of([1.0]), holding=True) is True
