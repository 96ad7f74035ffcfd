"""How a market trades: its instrument, fees, and where its liquidity comes from."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from paperex.domain.instrument import Instrument
from paperex.domain.orders import SelfTradePrevention


class MarketMode(StrEnum):
    """EXCHANGE: users trade only with each other. PAPER: also with the reference market."""

    EXCHANGE = "EXCHANGE"
    PAPER = "PAPER"


@dataclass(frozen=True, slots=True)
class MarketSpec:
    """Configuration of one market for the engine.

    Fee rates are exact fractions of the received amount (``Decimal("0.001")`` is 10 basis
    points). ``market_buy_headroom`` is the extra fraction locked for a stop-market buy by base
    quantity, whose price is unknown until it triggers.
    """

    instrument: Instrument
    maker_fee_rate: Decimal = Decimal(0)
    taker_fee_rate: Decimal = Decimal(0)
    mode: MarketMode = MarketMode.EXCHANGE
    market_buy_headroom: Decimal = Decimal("0.05")
    default_self_trade_prevention: SelfTradePrevention = SelfTradePrevention.EXPIRE_MAKER

    def __post_init__(self) -> None:
        for name in ("maker_fee_rate", "taker_fee_rate", "market_buy_headroom"):
            rate: Decimal = getattr(self, name)
            if not Decimal(0) <= rate < Decimal(1):
                raise ValueError(f"{self.instrument.symbol}: {name} must be in [0, 1)")

    @property
    def symbol(self) -> str:
        """The market's symbol."""
        return self.instrument.symbol
