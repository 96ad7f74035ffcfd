"""Turn the configured feed specs into feed instances for the markets in the database."""

from __future__ import annotations

from paperex.apps.markets.models import Market
from paperex.domain import Instrument
from paperex.marketdata.feed import Feed
from paperex.marketdata.synthetic import SyntheticFeed


class FeedUnavailableError(RuntimeError):
    """A configured feed cannot run here."""


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


def trading_instruments() -> list[Instrument]:
    """Every market that is trading, as instruments."""
    markets = Market.objects.filter(status=Market.Status.TRADING).select_related("base", "quote")
    return [market_instrument(market) for market in markets]


def build_feeds(specs: list[str]) -> list[Feed]:
    """One feed per spec; raises FeedUnavailableError for a feed that cannot run."""
    instruments = trading_instruments()
    feeds: list[Feed] = []
    for spec in specs:
        kind = spec.split(":", 1)[0]
        if kind == "synthetic":
            feeds.append(SyntheticFeed(instruments))
        else:
            raise FeedUnavailableError(f"feed {spec!r} is not available in this build")
    return feeds
