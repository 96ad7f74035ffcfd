"""The execution model: a strategy's signals become fills, trades and an equity curve.

A signal on a bar's close fills at the next bar's open (``fill_at="open"``, the default; a signal
on the last bar then never fills) or at that close (``fill_at="close"``). A fill pays ``fee`` (a
fraction of its value) and slips ``slippage_bps`` against the trader. A position opens with
``size`` (a fraction of the equity, 1 = all-in) spent on quantity and fee together, rounded down
to ``step_size`` when given and refused below ``min_notional``. Accounting is that of a margin
account: opening pays the fee, closing realizes the price difference and pays the fee, and the
equity is the cash plus the open position's gain at each close.

Only the bars that carry a signal are visited one by one; the equity curve between fills is
computed for all bars at once.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

import numpy as np
import numpy.typing as npt

from paperex.backtest.bars import Bars, Floats
from paperex.backtest.trades import LONG, SHORT, Trade

Booleans = npt.NDArray[np.bool_]
FillAt = Literal["open", "close"]


class ExecutionError(ValueError):
    """Settings or signals the execution model cannot run; one line."""


@dataclass(frozen=True)
class Signals:
    """What a strategy says on each bar's close: enter or exit a long position, and, for
    long/short runs, enter or exit a short one. Arrays as long as the bars."""

    long_entries: Booleans
    long_exits: Booleans
    short_entries: Booleans | None = None
    short_exits: Booleans | None = None


@dataclass(frozen=True)
class Execution:
    """How signals are filled; see the module's docstring."""

    cash: float = 10_000.0
    fee: float = 0.001
    slippage_bps: float = 0.0
    size: float = 1.0
    fill_at: FillAt = "open"
    allow_short: bool = False
    step_size: float | None = None
    min_notional: float | None = None

    def __post_init__(self) -> None:
        problems = [
            ("cash must be > 0", self.cash > 0),
            ("fee must be in [0, 0.1)", 0 <= self.fee < 0.1),
            ("slippage must be in [0, 1000) basis points", 0 <= self.slippage_bps < 1000),
            ("size must be in (0, 1]", 0 < self.size <= 1),
            ("fill_at must be open or close", self.fill_at in ("open", "close")),
            ("step size must be > 0", self.step_size is None or self.step_size > 0),
            ("minimum notional must be >= 0", self.min_notional is None or self.min_notional >= 0),
        ]
        for message, ok in problems:
            if not ok:
                raise ExecutionError(message)


@dataclass(frozen=True)
class Fills:
    """The outcome of a run: the trades in entry order (the last one may be open), the equity
    at each close, whether a position was held at each close, and how many entries were
    refused (a quantity of nothing after rounding to the step, or below the minimum notional).
    """

    trades: list[Trade]
    equity: Floats
    in_market: Booleans
    refused_entries: int


def execute(bars: Bars, signals: Signals, execution: Execution) -> Fills:
    """Fill ``signals`` on ``bars`` under ``execution``. An entry and an exit of one side on
    the same bar cancel out, as do a long and a short entry. Raises ExecutionError for signal
    arrays that are not as long as the bars."""
    decisions = _Decisions.of(signals, len(bars), execution.allow_short)
    book = _Book(bars, execution)
    for signal in decisions.fills(book.prices, book.delay):
        book.on_signal(*signal)
    return book.finish()


@dataclass(frozen=True)
class _Decisions:
    """The signals with their conflicts removed; no short side unless shorts are allowed."""

    long_entries: Booleans
    long_exits: Booleans
    short_entries: Booleans
    short_exits: Booleans

    @classmethod
    def of(cls, signals: Signals, count: int, allow_short: bool) -> _Decisions:
        nothing = np.zeros(count, dtype=np.bool_)
        short_entries = signals.short_entries if allow_short else None
        short_exits = signals.short_exits if allow_short else None
        arrays = [
            signals.long_entries,
            signals.long_exits,
            nothing if short_entries is None else short_entries,
            nothing if short_exits is None else short_exits,
        ]
        if any(len(array) != count for array in arrays):
            raise ExecutionError("signals must be as long as the bars")
        long_in, long_out, short_in, short_out = (np.asarray(a, dtype=np.bool_) for a in arrays)
        both_sides = long_in & short_in
        return cls(
            long_in & ~long_out & ~both_sides,
            long_out & ~long_in,
            short_in & ~short_out & ~both_sides,
            short_out & ~short_in,
        )

    def fills(
        self, prices: Floats, delay: int
    ) -> Iterator[tuple[int, float, bool, bool, bool, bool]]:
        """(fill bar, its price in ``prices``, long entry, long exit, short entry, short exit)
        for each bar where any is set, in order, filled ``delay`` bars later; a signal that
        would fill past the last bar is left out. Gathered at once: indexing numpy arrays one
        element at a time costs more than the whole loop over the signals."""
        arrays = (self.long_entries, self.long_exits, self.short_entries, self.short_exits)
        bars = np.flatnonzero(np.logical_or.reduce(arrays))
        bars = bars[bars + delay < len(prices)]
        fill_bars = bars + delay
        return zip(
            fill_bars.tolist(),
            prices[fill_bars].tolist(),
            *(array[bars].tolist() for array in arrays),
            strict=True,
        )


class _Position(NamedTuple):
    """The open position while the signals are visited (a Trade is made once, when it ends)."""

    direction: int
    quantity: float
    entry_index: int
    entry_price: float
    entry_fee: float


class _Book:
    """The account while the signals are visited in time order."""

    def __init__(self, bars: Bars, execution: Execution) -> None:
        self.bars = bars
        self.execution = execution
        self.prices = bars.open if execution.fill_at == "open" else bars.close
        self.delay = 1 if execution.fill_at == "open" else 0
        slip = execution.slippage_bps / 10_000
        self.slipped = {LONG: 1 + slip, SHORT: 1 - slip}
        """A buy's price factor (LONG) and a sell's (SHORT)."""
        self.fee = execution.fee
        self.cash = execution.cash
        self.position: _Position | None = None
        self.closed: list[tuple[_Position, int, float, float]] = []
        """Each closed position with its exit bar, price and fee."""
        self.refused = 0
        # The account after each fill bar: from there on, equity = cash + held x (close - entry).
        self.fill_bars: list[int] = []
        self.cash_after: list[float] = []
        self.held_after: list[float] = []
        self.entry_after: list[float] = []

    def on_signal(
        self, bar: int, price: float, long_in: bool, long_out: bool, short_in: bool, short_out: bool
    ) -> None:
        position = self.position
        filled = False
        if position is not None:
            leaving = long_out or short_in if position.direction == LONG else short_out or long_in
            if not leaving:
                return
            self._close(position, bar, price)
            filled = True
        if long_in and not (position and position.direction == LONG):
            filled = self._open(LONG, bar, price) or filled
        elif short_in and not (position and position.direction == SHORT):
            filled = self._open(SHORT, bar, price) or filled
        if filled:
            self._remember_state(bar)

    def _open(self, direction: int, bar: int, price: float) -> bool:
        """Opens a position unless its quantity is refused; whether it opened."""
        execution = self.execution
        price *= self.slipped[direction]
        quantity = self.cash * execution.size / (price * (1 + self.fee))
        if execution.step_size is not None:
            quantity = math.floor(quantity / execution.step_size) * execution.step_size
        notional = quantity * price
        if quantity <= 0 or notional < (execution.min_notional or 0.0):
            self.refused += 1
            return False
        fee = notional * self.fee
        self.cash -= fee
        self.position = _Position(direction, quantity, bar, price, fee)
        return True

    def _close(self, position: _Position, bar: int, price: float) -> None:
        price *= self.slipped[-position.direction]
        fee = position.quantity * price * self.fee
        self.cash += position.direction * position.quantity * (price - position.entry_price) - fee
        self.closed.append((position, bar, price, fee))
        self.position = None

    def _remember_state(self, bar: int) -> None:
        position = self.position
        self.fill_bars.append(bar)
        self.cash_after.append(self.cash)
        self.held_after.append(0.0 if position is None else position.direction * position.quantity)
        self.entry_after.append(0.0 if position is None else position.entry_price)

    def finish(self) -> Fills:
        # Each state holds from its fill bar to the next one; the initial state (all cash)
        # until the first fill. Few arrays as long as the bars: each new one costs its first
        # writes to fresh memory, more than the arithmetic.
        edges = np.asarray([0, *self.fill_bars, len(self.bars)], dtype=np.int64)
        lengths = np.diff(edges)
        held = np.asarray([0.0, *self.held_after])
        equity = np.repeat(np.asarray([0.0, *self.entry_after]), lengths)
        np.subtract(self.bars.close, equity, out=equity)
        equity *= np.repeat(held, lengths)
        equity += np.repeat(np.asarray([self.execution.cash, *self.cash_after]), lengths)
        in_market = np.repeat(held != 0, lengths)
        return Fills(self._trades(), equity, in_market, self.refused)

    def _trades(self) -> list[Trade]:
        """The closed trades, then the open one; their times looked up all at once."""
        time = self.bars.time
        open_ = [] if self.position is None else [self.position]
        positions = [position for position, _, _, _ in self.closed] + open_
        entry_times = time[[position.entry_index for position in positions]].tolist()
        exit_times = time[[bar for _, bar, _, _ in self.closed]].tolist()
        trades = [
            _trade(position, entry_time, bar, exit_time, price, fee)
            for (position, bar, price, fee), entry_time, exit_time in zip(
                self.closed, entry_times, exit_times, strict=False
            )
        ]
        trades.extend(_trade(position, entry_times[-1]) for position in open_)
        return trades


def _trade(position: _Position, entry_time: int, *exit: Any) -> Trade:
    """A trade from its position, entry time and (when closed) exit bar, time, price and fee."""
    direction, quantity, entry_index, entry_price, entry_fee = position
    return Trade(direction, quantity, entry_index, entry_time, entry_price, entry_fee, *exit)
