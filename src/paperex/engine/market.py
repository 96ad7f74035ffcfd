"""A market inside the engine: its integer scales, both book sides, stops and reference book.

Scales (all exact integers, checked when the engine is built):

- a base amount is kept in units of the base asset: one lot is ``base_units_per_lot`` units
  (``step_size / base unit``);
- a quote amount is kept in units of the quote asset: ``price_ticks * quantity_lots`` is a
  notional in tick-lots, and one tick-lot is ``quote_units_per_tick_lot`` quote units
  (``tick_size * step_size / quote unit``). So ``price * quantity * quote_units_per_tick_lot``
  is exact and needs no rounding;
- fee rates are exact fractions ``numerator / denominator``; a fee is charged on what the
  order receives and is rounded up to the received asset's unit;
- the price band's multipliers are exact fractions too (see ``paperex.engine.price_band``).
"""

from __future__ import annotations

from decimal import Decimal

from paperex.domain.asset import Asset
from paperex.domain.market_spec import MarketMode, MarketSpec, PercentPriceBySide
from paperex.engine.book import BookSide
from paperex.engine.reference import ReferenceBook
from paperex.engine.stops import StopBook


class EngineMarket:
    """Everything the engine keeps for one market."""

    __slots__ = (
        "ask_band",
        "asks",
        "awaits_reference_book",
        "awaits_reference_trade",
        "base_asset",
        "base_units_per_lot",
        "bid_band",
        "bids",
        "headroom",
        "last_price",
        "last_reference_price",
        "maker_fee",
        "min_notional_units",
        "quote_asset",
        "quote_units_per_tick_lot",
        "reference",
        "spec",
        "stops",
        "symbol",
        "taker_fee",
    )

    def __init__(self, spec: MarketSpec, assets: dict[str, Asset]) -> None:
        instrument = spec.instrument
        base = assets.get(instrument.base)
        quote = assets.get(instrument.quote)
        if base is None or quote is None:
            raise ValueError(f"{spec.symbol}: unknown asset {instrument.base}/{instrument.quote}")
        self.spec = spec
        self.symbol = spec.symbol
        self.base_asset = base.code
        self.quote_asset = quote.code
        self.base_units_per_lot = _whole(instrument.step_size / base.unit, spec.symbol, "step")
        self.quote_units_per_tick_lot = _whole(
            instrument.tick_size * instrument.step_size / quote.unit, spec.symbol, "tick * step"
        )
        self.min_notional_units = int(
            (instrument.min_notional / quote.unit).to_integral_value(rounding="ROUND_CEILING")
        )
        self.maker_fee = spec.maker_fee_rate.as_integer_ratio()
        self.taker_fee = spec.taker_fee_rate.as_integer_ratio()
        self.headroom = spec.market_buy_headroom.as_integer_ratio()
        self.bids = BookSide(is_bid=True)
        self.asks = BookSide(is_bid=False)
        self.stops = StopBook()
        self.reference = ReferenceBook() if spec.mode is MarketMode.PAPER else None
        self.last_price: int | None = None
        self.last_reference_price: int | None = None
        """The reference market's last trade price since the engine started (paper markets)."""
        band = spec.percent_price_by_side
        self.bid_band = _side_band(band, "bid")
        self.ask_band = _side_band(band, "ask")
        self.awaits_reference_book = self.awaits_reference_trade = spec.requires_reference

    @property
    def ready(self) -> bool:
        """False while a market that ``requires_reference`` has had no reference book snapshot
        or no reference trade since the engine started: it may not take liquidity yet."""
        return not (self.awaits_reference_book or self.awaits_reference_trade)

    def notional(self, price: int, quantity: int) -> int:
        """The quote units ``quantity`` lots cost at ``price`` ticks."""
        return price * quantity * self.quote_units_per_tick_lot

    def validate_internal_state(self) -> None:
        """Raise InternalStateError when a book side, the stops or the reference book breaks
        its rules (see each ``validate_internal_state``)."""
        self.bids.validate_internal_state()
        self.asks.validate_internal_state()
        self.stops.validate_internal_state()
        if self.reference is not None:
            self.reference.validate_internal_state()


def fee_for(amount: int, rate: tuple[int, int]) -> int:
    """The fee on ``amount`` units at ``rate`` (numerator, denominator), rounded up."""
    numerator, denominator = rate
    if not numerator:
        return 0
    return -(-amount * numerator // denominator)


SideBand = tuple[tuple[int, int], tuple[int, int]]
"""One side's (down, up) multipliers of the price band as (numerator, denominator) pairs."""


def _side_band(band: PercentPriceBySide | None, side: str) -> SideBand | None:
    if band is None:
        return None
    down: Decimal = getattr(band, f"{side}_multiplier_down")
    up: Decimal = getattr(band, f"{side}_multiplier_up")
    return down.as_integer_ratio(), up.as_integer_ratio()


def _whole(value: Decimal, symbol: str, what: str) -> int:
    if value != value.to_integral_value() or value <= 0:
        raise ValueError(
            f"{symbol}: {what} is not a whole number of the asset's smallest units ({value});"
            " give the asset more decimals"
        )
    return int(value)
