"""Side by side: a bot's trades and its backtest's, matched by entry candle."""

from __future__ import annotations

import numpy as np
import pytest

from paperex.backtest.bars import Bars
from paperex.backtest.execution import Execution
from paperex.backtest.reconcile import LiveTrade, backtest_from, reconcile
from paperex.backtest.strategies import SmaCross
from paperex.backtest.trades import LONG, Trade

MINUTE = 60_000


def backtest_trade(
    entry: int, entry_price: float, exit_: int | None, exit_price: float | None
) -> Trade:
    return Trade(LONG, 1.0, 0, entry, entry_price, 0.1, 1, exit_, exit_price, 0.1)


def test_trades_both_made_are_paired_with_their_differences_and_the_others_stand_alone() -> None:
    backtest = [
        backtest_trade(0, 100.0, MINUTE, 110.0),
        backtest_trade(3 * MINUTE, 90.0, None, None),
    ]
    live = [
        LiveTrade(
            1.0, 0, 100.5, quote_in=100.6, exit_time=MINUTE, exit_price=109.0, quote_out=108.9
        ),
        LiveTrade(2.0, 2 * MINUTE, 95.0, quote_in=190.2),
    ]
    rows = reconcile(backtest, live, last_price=96.0)
    assert [row.entry_time for row in rows] == [0, 2 * MINUTE, 3 * MINUTE]
    both, live_only, backtest_only = rows
    assert both.entry_price_difference == pytest.approx(0.5)
    assert both.exit_price_difference == pytest.approx(-1.0)
    assert both.pnl_difference == pytest.approx((108.9 - 100.6) - (110.0 - 100.0 - 0.2))
    assert (live_only.backtest, live_only.pnl_difference) == (None, None)
    assert live_only.live is not None
    assert live_only.live.pnl_at(96.0) == pytest.approx(2 * 96.0 - 190.2)
    assert (backtest_only.live, backtest_only.entry_price_difference) == (None, None)


def test_the_backtest_acts_only_from_the_bots_first_candle() -> None:
    closes = [50.0, 40.0, 30.0, 20.0, 45.0, 10.0, 5.0, 30.0, 40.0]
    bars = Bars.from_arrays(np.arange(len(closes)) * MINUTE, closes)
    strategy, execution = SmaCross(fast=2, slow=3), Execution(fill_at="close", fee=0.0)
    every = backtest_from(bars, strategy, execution, first_time=0).trades
    assert [trade.entry_time for trade in every] == [4 * MINUTE, 7 * MINUTE]
    later = backtest_from(bars, strategy, execution, first_time=5 * MINUTE).trades
    assert [trade.entry_time for trade in later] == [7 * MINUTE]
