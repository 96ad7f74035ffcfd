"""A tradable instrument and the conversion between exact decimals and integer ticks/lots."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


class OffGridError(ValueError):
    """A price is not a multiple of the tick size, or a quantity of the step size."""


@dataclass(frozen=True, slots=True)
class Instrument:
    """A market's trading rules. Inside the engine prices are ticks and quantities lots."""

    symbol: str
    base: str
    quote: str
    tick_size: Decimal
    step_size: Decimal
    min_notional: Decimal = Decimal(0)

    def __post_init__(self) -> None:
        if self.tick_size <= 0 or self.step_size <= 0:
            raise ValueError(f"{self.symbol}: tick size and step size must be positive")

    def price_to_ticks(self, price: Decimal) -> int:
        """Whole ticks in ``price``; raises OffGridError when it is not on the tick grid."""
        ticks, remainder = divmod(price, self.tick_size)
        if remainder:
            raise OffGridError(f"price {price} is not a multiple of tick size {self.tick_size}")
        return int(ticks)

    def quantity_to_lots(self, quantity: Decimal) -> int:
        """Whole lots in ``quantity``; raises OffGridError when it is not on the step grid."""
        lots, remainder = divmod(quantity, self.step_size)
        if remainder:
            raise OffGridError(
                f"quantity {quantity} is not a multiple of step size {self.step_size}"
            )
        return int(lots)

    def ticks_to_price(self, ticks: int) -> Decimal:
        """The exact price of ``ticks`` ticks."""
        return ticks * self.tick_size

    def lots_to_quantity(self, lots: int) -> Decimal:
        """The exact quantity of ``lots`` lots."""
        return lots * self.step_size
