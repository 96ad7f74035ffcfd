"""An asset and its smallest unit: the engine keeps every balance as an integer of these."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from paperex.domain.instrument import OffGridError


@dataclass(frozen=True, slots=True)
class Asset:
    """A currency, coin or stock; balances are integers of ``10 ** -decimals`` (its unit)."""

    code: str
    decimals: int

    def __post_init__(self) -> None:
        if self.decimals < 0:
            raise ValueError(f"{self.code}: decimals must not be negative")

    @property
    def unit(self) -> Decimal:
        """The smallest amount of this asset, ``10 ** -decimals``."""
        return Decimal(1).scaleb(-self.decimals)

    def to_units(self, amount: Decimal) -> int:
        """Whole units in ``amount``; raises OffGridError when it has more decimals."""
        units = amount.scaleb(self.decimals)
        if units != units.to_integral_value():
            raise OffGridError(f"{amount} {self.code} has more than {self.decimals} decimals")
        return int(units)

    def from_units(self, units: int) -> Decimal:
        """The exact amount of ``units`` units."""
        return Decimal(units).scaleb(-self.decimals)
