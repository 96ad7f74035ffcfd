from __future__ import annotations

from enum import StrEnum


class Side(StrEnum):
    """Which way an order or a trade's aggressor goes."""

    BUY = "BUY"
    SELL = "SELL"

    @property
    def opposite(self) -> Side:
        """The other side."""
        return Side.SELL if self is Side.BUY else Side.BUY
