"""Comparing what a live bot did with what its backtest says it would have done on the same
candles: the trades both made side by side, the ones only one made, and for each pair how much
the live fills' prices and P&L differ from the backtest's assumed ones."""

from __future__ import annotations

from dataclasses import dataclass

from paperex.backtest.bars import Bars
from paperex.backtest.execution import Booleans, Execution, Fills, Signals, execute
from paperex.backtest.strategies import BarData, Strategy
from paperex.backtest.trades import Trade


@dataclass(frozen=True)
class LiveTrade:
    """A bot's round trip from its fills: bought ``quantity`` (what it then held, after fees)
    on the candle that opened at ``entry_time`` at the average ``entry_price``, paying
    ``quote_in``; sold on ``exit_time`` at ``exit_price`` for ``quote_out`` (after fees), or
    still held (``exit_time`` None)."""

    quantity: float
    entry_time: int
    entry_price: float
    quote_in: float
    exit_time: int | None = None
    exit_price: float | None = None
    quote_out: float | None = None

    def pnl_at(self, price: float) -> float:
        """The profit or loss after fees: what the sale brought, or the holding at ``price``
        while it is open, less what the purchase cost."""
        out = self.quantity * price if self.quote_out is None else self.quote_out
        return out - self.quote_in


@dataclass(frozen=True)
class Reconciled:
    """One trade, by the candle of its entry: the backtest's and the live one (None where only
    the other made it) with their P&L after fees (open trades valued at the last price), and
    the live minus backtest differences of entry and exit price and of P&L (None where either
    side is missing)."""

    entry_time: int
    backtest: Trade | None
    live: LiveTrade | None
    backtest_pnl: float | None
    live_pnl: float | None
    entry_price_difference: float | None
    exit_price_difference: float | None
    pnl_difference: float | None


def backtest_from(
    bars: Bars, strategy: Strategy, execution: Execution, *, first_time: int
) -> Fills:
    """The backtest of ``strategy`` on ``bars`` acting only on the signals of bars that opened
    at ``first_time`` or later (the earlier ones are the warm-up a bot reads before its start)."""
    signals = strategy.signals(BarData(bars))
    acting: Booleans = bars.time >= first_time
    shorts = (signals.short_entries, signals.short_exits)
    short_entries, short_exits = (None if array is None else array & acting for array in shorts)
    acted = Signals(
        signals.long_entries & acting, signals.long_exits & acting, short_entries, short_exits
    )
    return execute(bars, acted, execution)


def reconcile(
    backtest: list[Trade], live: list[LiveTrade], *, last_price: float
) -> list[Reconciled]:
    """The trades of both, matched by entry candle, in entry order."""
    by_entry_backtest = {trade.entry_time: trade for trade in backtest}
    by_entry_live = {trade.entry_time: trade for trade in live}
    return [
        _paired(time, by_entry_backtest.get(time), by_entry_live.get(time), last_price)
        for time in sorted(by_entry_backtest.keys() | by_entry_live.keys())
    ]


def _paired(
    entry_time: int, tested: Trade | None, lived: LiveTrade | None, last_price: float
) -> Reconciled:
    tested_pnl = None
    if tested is not None:
        tested_pnl = tested.pnl_at(last_price if tested.exit_price is None else tested.exit_price)
    lived_pnl = None if lived is None else lived.pnl_at(last_price)
    if tested is None or lived is None or tested_pnl is None or lived_pnl is None:
        return Reconciled(entry_time, tested, lived, tested_pnl, lived_pnl, None, None, None)
    exit_difference = (
        None
        if lived.exit_price is None or tested.exit_price is None
        else lived.exit_price - tested.exit_price
    )
    return Reconciled(
        entry_time,
        tested,
        lived,
        tested_pnl,
        lived_pnl,
        lived.entry_price - tested.entry_price,
        exit_difference,
        lived_pnl - tested_pnl,
    )


def reconciled_document(row: Reconciled) -> dict[str, object]:
    """``row`` as JSON-ready data: each side's quantity, prices, exit time and P&L, and the
    differences."""
    tested, lived = row.backtest, row.live
    return {
        "entry_time": row.entry_time,
        "backtest": None
        if tested is None
        else _side(tested.quantity, tested.entry_price, tested.exit_time, tested.exit_price),
        "live": None
        if lived is None
        else _side(lived.quantity, lived.entry_price, lived.exit_time, lived.exit_price),
        "backtest_pnl": row.backtest_pnl,
        "live_pnl": row.live_pnl,
        "entry_price_difference": row.entry_price_difference,
        "exit_price_difference": row.exit_price_difference,
        "pnl_difference": row.pnl_difference,
    }


def _side(
    quantity: float, entry_price: float, exit_time: int | None, exit_price: float | None
) -> dict[str, object]:
    return {
        "quantity": quantity,
        "entry_price": entry_price,
        "exit_time": exit_time,
        "exit_price": exit_price,
    }
