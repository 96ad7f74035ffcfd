"""How a market trades: its instrument, fees, price band, and where its liquidity comes from."""

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
class PercentPriceBySide:
    """Binance's PERCENT_PRICE_BY_SIDE filter: how far from the reference price orders may go.

    A buy's price must lie in ``[reference * bid_multiplier_down, reference * bid_multiplier_up]``,
    a sell's in the same range of the ask multipliers. Each side's range holds the reference
    price: ``0 <= down <= 1 <= up``.
    """

    bid_multiplier_up: Decimal
    bid_multiplier_down: Decimal
    ask_multiplier_up: Decimal
    ask_multiplier_down: Decimal

    def __post_init__(self) -> None:
        for side in ("bid", "ask"):
            up: Decimal = getattr(self, f"{side}_multiplier_up")
            down: Decimal = getattr(self, f"{side}_multiplier_down")
            if not Decimal(0) <= down <= Decimal(1) <= up:
                raise ValueError(
                    f"{side} multipliers must keep 0 <= down <= 1 <= up, not {down} and {up}"
                )


@dataclass(frozen=True, slots=True)
class MarketSpec:
    """Configuration of one market for the engine.

    Fee rates are exact fractions of the received amount (``Decimal("0.001")`` is 10 basis
    points). ``market_buy_headroom`` is the extra fraction locked for a stop-market buy by base
    quantity, whose price is unknown until it triggers.

    ``percent_price_by_side`` (None: no band) bounds order prices around the market's reference
    price, and where a taker may trade. ``requires_reference`` (PAPER only) says the reference
    market reaches the engine from a feed: after the engine starts, the market takes no
    liquidity until the feed has delivered a book snapshot and a trade.
    """

    instrument: Instrument
    maker_fee_rate: Decimal = Decimal(0)
    taker_fee_rate: Decimal = Decimal(0)
    mode: MarketMode = MarketMode.EXCHANGE
    market_buy_headroom: Decimal = Decimal("0.05")
    default_self_trade_prevention: SelfTradePrevention = SelfTradePrevention.EXPIRE_MAKER
    percent_price_by_side: PercentPriceBySide | None = None
    requires_reference: bool = False

    def __post_init__(self) -> None:
        for name in ("maker_fee_rate", "taker_fee_rate", "market_buy_headroom"):
            rate: Decimal = getattr(self, name)
            if not Decimal(0) <= rate < Decimal(1):
                raise ValueError(f"{self.instrument.symbol}: {name} must be in [0, 1)")
        if self.requires_reference and self.mode is not MarketMode.PAPER:
            raise ValueError(f"{self.instrument.symbol}: only a PAPER market has a reference")

    @property
    def symbol(self) -> str:
        """The market's symbol."""
        return self.instrument.symbol
