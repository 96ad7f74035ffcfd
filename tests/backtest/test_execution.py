"""The execution model on hand-made bars: next-open and close fills, fees, slippage, step
rounding, minimum notional, long/short reversals, and the equity at every close."""

from __future__ import annotations

import numpy as np
import pytest

from paperex.backtest.bars import Bars
from paperex.backtest.execution import Execution, ExecutionError, Signals, execute
from paperex.backtest.trades import LONG, SHORT

MINUTE = 60_000
OPENS = [10.0, 11.0, 12.0, 13.0, 14.0, 15.0]
CLOSES = [10.5, 11.5, 12.5, 13.5, 14.5, 15.5]
BARS = Bars.from_arrays(
    [n * MINUTE for n in range(6)], CLOSES, open=OPENS, symbol="BTCUSDT", interval="1m"
)


def flags(*on: int, count: int = 6) -> np.ndarray:
    marks = np.zeros(count, dtype=np.bool_)
    marks[list(on)] = True
    return marks


def long_only(entries: tuple[int, ...], exits: tuple[int, ...]) -> Signals:
    return Signals(flags(*entries), flags(*exits))


def test_a_signal_fills_at_the_next_open_and_pays_the_fee_both_ways() -> None:
    fills = execute(BARS, long_only((0,), (2,)), Execution(cash=1000, fee=0.001))
    (trade,) = fills.trades
    quantity = 1000 / (11 * 1.001)
    assert (trade.entry_index, trade.entry_price, trade.exit_index, trade.exit_price) == (
        1,
        11.0,
        3,
        13.0,
    )
    assert trade.quantity == pytest.approx(quantity, rel=1e-15)
    assert trade.entry_fee == pytest.approx(quantity * 11 * 0.001, rel=1e-15)
    assert trade.exit_fee == pytest.approx(quantity * 13 * 0.001, rel=1e-15)
    cash_in_trade = 1000 - quantity * 11 * 0.001
    cash_after = cash_in_trade + quantity * (13 - 11) - quantity * 13 * 0.001
    expected = [
        1000,
        cash_in_trade + quantity * (11.5 - 11),
        cash_in_trade + quantity * (12.5 - 11),
        cash_after,
        cash_after,
        cash_after,
    ]
    assert fills.equity.tolist() == pytest.approx(expected, rel=1e-14)
    assert fills.in_market.tolist() == [False, True, True, False, False, False]
    assert trade.pnl == pytest.approx(cash_after - 1000, rel=1e-12)


def test_fills_at_the_close_happen_on_the_signals_bar() -> None:
    fills = execute(BARS, long_only((1,), (3,)), Execution(cash=1000, fee=0, fill_at="close"))
    (trade,) = fills.trades
    assert (trade.entry_index, trade.entry_price, trade.exit_price) == (1, 11.5, 13.5)
    assert fills.equity[-1] == pytest.approx(1000 / 11.5 * 13.5, rel=1e-14)


def test_slippage_moves_both_fills_against_the_trader() -> None:
    (trade,) = execute(BARS, long_only((0,), (2,)), Execution(fee=0, slippage_bps=10)).trades
    assert trade.entry_price == pytest.approx(11 * 1.001, rel=1e-15)
    assert trade.exit_price == pytest.approx(13 * 0.999, rel=1e-15)


def test_quantities_round_down_to_the_step_and_small_ones_are_refused() -> None:
    (trade,) = execute(BARS, long_only((0,), ()), Execution(cash=1000, step_size=1)).trades
    assert trade.quantity == 90  # 1000 / (11 x 1.001) = 90.8…
    assert trade.is_open
    assert (trade.exit_time, trade.exit_price, trade.exit_fee) == (None, None, 0.0)
    refused = execute(BARS, long_only((0,), ()), Execution(cash=1000, min_notional=1001))
    assert (refused.trades, refused.refused_entries) == ([], 1)
    assert refused.equity.tolist() == [1000.0] * 6


def test_a_fraction_of_the_equity_sizes_the_position() -> None:
    (trade,) = execute(BARS, long_only((0,), ()), Execution(cash=1000, fee=0, size=0.5)).trades
    assert trade.quantity == pytest.approx(500 / 11, rel=1e-15)


def test_a_signal_on_the_last_bar_never_fills_and_an_open_trade_is_marked_to_the_close() -> None:
    fills = execute(BARS, long_only((3,), (5,)), Execution(cash=1000, fee=0))
    (trade,) = fills.trades
    assert trade.is_open
    assert fills.equity[-1] == pytest.approx(1000 / 14 * 15.5, rel=1e-14)


def test_long_short_reverses_on_the_opposite_signal() -> None:
    up, down = flags(0, 3), flags(1)
    signals = Signals(up, down, short_entries=down, short_exits=up)
    fills = execute(BARS, signals, Execution(cash=1000, fee=0, allow_short=True))
    first, second, third = fills.trades
    assert (first.direction, first.entry_index, first.exit_index) == (LONG, 1, 2)
    assert (second.direction, second.entry_index, second.exit_index) == (SHORT, 2, 4)
    assert (third.direction, third.entry_index, third.is_open) == (LONG, 4, True)
    cash_after_long = 1000 + 1000 / 11 * (12 - 11)
    short = cash_after_long / 12
    cash_after_short = cash_after_long - short * (14 - 12)
    assert fills.equity[3] == pytest.approx(cash_after_long - short * (13.5 - 12), rel=1e-14)
    assert fills.equity[-1] == pytest.approx(
        cash_after_short + cash_after_short / 14 * (15.5 - 14), rel=1e-14
    )
    long_only_run = execute(BARS, signals, Execution(cash=1000, fee=0))
    assert [t.direction for t in long_only_run.trades] == [LONG, LONG]


def test_a_short_entry_alone_closes_a_long_position() -> None:
    signals = Signals(flags(0), flags(), short_entries=flags(2), short_exits=flags())
    fills = execute(BARS, signals, Execution(fee=0, allow_short=True))
    assert [(t.direction, t.entry_index, t.exit_index) for t in fills.trades] == [
        (LONG, 1, 3),
        (SHORT, 3, None),
    ]


def test_an_entry_and_an_exit_on_one_bar_cancel_out() -> None:
    fills = execute(BARS, long_only((0, 2), (2, 3)), Execution(fee=0))
    (trade,) = fills.trades
    assert (trade.entry_index, trade.exit_index) == (1, 4)
    assert execute(BARS, long_only((1,), (1,)), Execution()).trades == []
    both = Signals(flags(1), flags(), short_entries=flags(1), short_exits=flags())
    assert execute(BARS, both, Execution(allow_short=True)).trades == []


def test_signals_of_another_length_and_bad_settings_are_refused() -> None:
    with pytest.raises(ExecutionError, match="as long as the bars"):
        execute(BARS, Signals(flags(0, count=5), flags(count=5)), Execution())
    for settings, message in [
        ({"cash": 0}, "cash"),
        ({"fee": 0.2}, "fee"),
        ({"size": 1.5}, "size"),
        ({"step_size": 0}, "step"),
        ({"fill_at": "noon"}, "fill_at"),
    ]:
        with pytest.raises(ExecutionError, match=message):
            Execution(**settings)  # type: ignore[arg-type]
