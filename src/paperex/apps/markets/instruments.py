"""Market rows as the pure trading rules the engine and the feeds work with."""

from __future__ import annotations

from dataclasses import fields
from decimal import Decimal

from django.conf import settings

from paperex.apps.markets.models import Market
from paperex.domain import Instrument, PercentPriceBySide


def market_instrument(market: Market) -> Instrument:
    """The pure trading rules of a market row."""
    return Instrument(
        symbol=market.symbol,
        base=market.base.code,
        quote=market.quote.code,
        # The database pads decimals to 12 places; the instrument keeps the real precision.
        tick_size=market.tick_size.normalize(),
        step_size=market.step_size.normalize(),
        min_notional=market.min_notional.normalize(),
    )


def market_percent_price(market: Market) -> PercentPriceBySide:
    """The price band of a market row: its own multipliers, each one it leaves empty taken from
    the setting ``PAPEREX_PERCENT_PRICE_BY_SIDE``. Raises ValueError for a band that does not
    hold the reference price."""
    defaults = settings.PAPEREX_PERCENT_PRICE_BY_SIDE
    multipliers = {}
    for name in (field.name for field in fields(PercentPriceBySide)):
        own: Decimal | None = getattr(market, f"percent_price_{name}")
        multipliers[name] = Decimal(defaults[name]) if own is None else own.normalize()
    return PercentPriceBySide(**multipliers)
