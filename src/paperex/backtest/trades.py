"""A backtest's trades: round trips from an entry fill to an exit fill."""

from __future__ import annotations

from typing import NamedTuple

LONG = 1
SHORT = -1


class Trade(NamedTuple):
    """One round trip. ``direction`` is LONG or SHORT; indices are bar positions, times the
    bars' open times (UTC ms); fees are in the quote currency. A trade still open at the end
    has no exit (``exit_index`` is None and ``exit_fee`` is 0). A named tuple: a run makes
    thousands, and a frozen dataclass takes several times as long to make."""

    direction: int
    quantity: float
    entry_index: int
    entry_time: int
    entry_price: float
    entry_fee: float
    exit_index: int | None = None
    exit_time: int | None = None
    exit_price: float | None = None
    exit_fee: float = 0.0

    @property
    def is_open(self) -> bool:
        return self.exit_index is None

    @property
    def fees(self) -> float:
        return self.entry_fee + self.exit_fee

    def pnl_at(self, price: float) -> float:
        """The profit or loss after fees if the trade ended at ``price`` (its exit price once
        closed), in the quote currency."""
        return self.direction * self.quantity * (price - self.entry_price) - self.fees

    @property
    def pnl(self) -> float:
        """The realized profit or loss after both fees; raises ValueError while open."""
        if self.exit_price is None:
            raise ValueError("an open trade has no realized P&L")
        return self.pnl_at(self.exit_price)

    @property
    def return_fraction(self) -> float:
        """``pnl`` over the entry's value (0.05 is +5 %); raises ValueError while open."""
        return self.pnl / (self.quantity * self.entry_price)
