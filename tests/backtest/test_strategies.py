"""Strategies: crossings, the built-ins' signals, typed parameters, user strategies from files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from paperex.backtest.bars import Bars
from paperex.backtest.strategies import (
    BarData,
    BuyAndHold,
    RsiReversion,
    SmaCross,
    StrategyError,
    crosses_above,
    crosses_below,
    make_strategy,
    parameters,
    strategy_class,
)

NAN = float("nan")


def bars_of(closes: list[float]) -> Bars:
    return Bars.from_arrays(np.arange(len(closes)) * 60_000, closes)


def test_a_cross_is_strict_on_both_bars_and_never_on_nan() -> None:
    line = np.array([NAN, 1.0, 2.0, 3.0, 3.0, 1.0, 4.0])
    other = np.array([2.0, 2.0, 2.0, 2.0, 3.0, 3.0, 3.0])
    assert crosses_above(line, other).tolist() == [False] * 3 + [False, False, False, True]
    assert crosses_below(line, other).tolist() == [False] * 5 + [False, False]
    assert crosses_below(np.array([4.0, 1.0]), 2.0).tolist() == [False, True]


def test_the_sma_crossover_signals_on_the_bar_the_averages_cross() -> None:
    closes = [10.0, 10.0, 9.0, 13.0, 16.0, 10.0, 4.0, 4.0]
    # fast = 1-bar average (the close), slow = 3-bar average:
    # slow: -, -, 9.67, 10.67, 12.67, 13, 10, 6
    # the close is below on bar 2 (9 < 9.67), above on bar 3 (13 > 10.67): a cross up;
    # above on bar 4 (16 > 12.67), below on bar 5 (10 < 13): a cross down
    signals = SmaCross(fast=1, slow=3).signals(BarData(bars_of(closes)))
    assert np.flatnonzero(signals.long_entries).tolist() == [3]
    assert np.flatnonzero(signals.long_exits).tolist() == [5]
    assert signals.short_entries is not None
    assert np.flatnonzero(signals.short_entries).tolist() == [5]


def test_rsi_reversion_enters_leaving_oversold_and_exits_leaving_overbought() -> None:
    falling_then_rising = [100 - n for n in range(20)] + [81 + 3 * n for n in range(20)]
    closes = falling_then_rising + [140 - 4 * n for n in range(15)]
    signals = RsiReversion(period=5).signals(BarData(bars_of([float(c) for c in closes])))
    (entry,) = np.flatnonzero(signals.long_entries)
    (exit_,) = np.flatnonzero(signals.long_exits)
    assert 20 <= entry < 25  # the first rises after the fall
    assert 40 <= exit_ < 45  # the first falls after the rise


def test_buy_and_hold_buys_on_the_first_bar_only() -> None:
    signals = BuyAndHold().signals(BarData(bars_of([1.0, 2.0, 3.0])))
    assert signals.long_entries.tolist() == [True, False, False]
    assert not signals.long_exits.any()


def test_parameters_are_typed_and_checked() -> None:
    assert parameters(SmaCross) == {"fast": 50, "slow": 200}
    assert make_strategy(SmaCross, {"fast": "20", "slow": "60"}) == SmaCross(20, 60)
    assert make_strategy(RsiReversion, {"lower": "25"}).lower == 25.0
    for given, message in [
        ({"slow": "40"}, r"slow \(40\) must be above fast \(50\)"),
        ({"fast": "0"}, "fast must be at least 1"),
        ({"fast": "ten"}, "fast must be int, not 'ten'"),
        ({"fast": 2.5}, "fast must be int"),
        ({"speed": "3"}, "sma_cross has no parameter 'speed' \\(it has: fast, slow\\)"),
    ]:
        with pytest.raises(StrategyError, match=message):
            make_strategy(SmaCross, given)
    with pytest.raises(StrategyError, match="need 0 < lower < upper < 100"):
        make_strategy(RsiReversion, {"lower": "80"})


def test_a_strategy_loads_from_a_users_file(tmp_path: Path) -> None:
    source = tmp_path / "mine.py"
    source.write_text(
        "import dataclasses\n"
        "from paperex.backtest.strategies import Strategy, crossing_signals, crosses_above,"
        " crosses_below\n"
        "@dataclasses.dataclass(frozen=True)\n"
        "class Breakout(Strategy):\n"
        "    name = 'breakout'\n"
        "    summary = 'close above a level'\n"
        "    level: float = 2.5\n"
        "    warmup = 1\n"
        "    def signals(self, data):\n"
        "        return crossing_signals(crosses_above(data.close, self.level),"
        " crosses_below(data.close, self.level))\n"
    )
    cls = strategy_class(f"{source}:Breakout")
    strategy = make_strategy(cls, {"level": "1.5"})
    signals = strategy.signals(BarData(bars_of([1.0, 2.0, 3.0, 1.0])))
    assert signals.long_entries.tolist() == [False, True, False, False]
    assert signals.long_exits.tolist() == [False, False, False, True]


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        ("sma_crossover", "unknown strategy 'sma_crossover'"),
        ("nowhere.py:Thing", "no strategy file nowhere.py"),
    ],
)
def test_an_unknown_strategy_is_one_line(reference: str, message: str) -> None:
    with pytest.raises(StrategyError, match=message):
        strategy_class(reference)


def test_a_broken_user_file_is_one_line(tmp_path: Path) -> None:
    broken = tmp_path / "broken.py"
    broken.write_text("raise RuntimeError('oops')\n")
    with pytest.raises(StrategyError, match=r"broken\.py: RuntimeError: oops"):
        strategy_class(f"{broken}:Anything")
    plain = tmp_path / "plain.py"
    plain.write_text("class Thing:\n    pass\n")
    with pytest.raises(StrategyError, match="no Strategy subclass named Thing"):
        strategy_class(f"{plain}:Thing")
