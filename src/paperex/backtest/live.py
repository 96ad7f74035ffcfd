"""What a live bot does on each closed bar: the same strategy class and the same reading of its
signals as the backtester, one bar at a time (long only: a bot buys, then sells what it bought)."""

from __future__ import annotations

from paperex.backtest.bars import Bars
from paperex.backtest.strategies import BarData, Strategy

HISTORY_PER_WARMUP = 4
"""A bot reads this many times its strategy's warm-up in bars before each decision, so that
averages that remember all history (the EMA) have settled as they would have in a backtest."""


def bars_needed(strategy: Strategy) -> int:
    """How many bars up to the latest a bot reads to decide on it: none before it for a
    strategy without warm-up, whose first bar is where the bot starts (buy-and-hold buys then)."""
    if strategy.warmup == 0:
        return 1
    return HISTORY_PER_WARMUP * strategy.warmup + 2


def holds_after(strategy: Strategy, bars: Bars, *, holding: bool) -> bool:
    """Whether a bot that is ``holding`` (long) or not holds after the last bar's close: a long
    entry on that bar buys, a long exit sells, as in the backtester; before the strategy's
    warm-up is over it stays as it is. Raises what the strategy raises."""
    if len(bars) <= strategy.warmup:
        return holding
    signals = strategy.signals(BarData(bars))
    if holding:
        return not bool(signals.long_exits[-1])
    return bool(signals.long_entries[-1])
