"""Market rows as the pure trading rules the engine and the feeds work with."""

from __future__ import annotations

from paperex.apps.markets.models import Market
from paperex.domain import Instrument


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
