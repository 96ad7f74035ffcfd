"""How each synthetic asset behaves: starting price, volatility, activity and trade sizes."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from paperex.domain import Instrument

CRYPTO_TRADING_MINUTES_PER_YEAR: Final = 365 * 24 * 60
STOCK_TRADING_MINUTES_PER_YEAR: Final = 252 * 390
"""US equities trade 6.5 hours on 252 days: their annual volatility happens in those minutes."""


@dataclass(frozen=True, slots=True)
class AssetProfile:
    """The statistical character of one market.

    ``annual_volatility`` is the standard deviation of yearly log returns (0.6 = 60 %), spread over
    ``trading_minutes_per_year``; ``activity`` is the relative share of events; trade notionals
    (in the quote currency) are log-normal around ``median_trade_notional`` with a Pareto tail.
    """

    start_price: Decimal
    annual_volatility: float
    trading_minutes_per_year: int = CRYPTO_TRADING_MINUTES_PER_YEAR
    activity: float = 1.0
    median_trade_notional: float = 200.0
    spread_ticks: int = 1

    @property
    def variance_per_second(self) -> float:
        """The mean variance of log returns over one second of trading."""
        return self.annual_volatility**2 / (self.trading_minutes_per_year * 60)


def _stock(price: str, volatility: float, activity: float) -> AssetProfile:
    return AssetProfile(
        Decimal(price),
        volatility,
        STOCK_TRADING_MINUTES_PER_YEAR,
        activity=activity,
        median_trade_notional=4_000.0,
    )


DEFAULT_PROFILES: Final[dict[str, AssetProfile]] = {
    "BTCUSDT": AssetProfile(Decimal("60000"), 0.55, activity=10.0, median_trade_notional=800.0),
    "ETHUSDT": AssetProfile(Decimal("3000"), 0.70, activity=7.0, median_trade_notional=500.0),
    "BNBUSDT": AssetProfile(Decimal("600"), 0.60, activity=3.0, median_trade_notional=300.0),
    "MINAUSDT": AssetProfile(Decimal("0.5"), 0.95, activity=1.0, median_trade_notional=100.0),
    "ATOMUSDT": AssetProfile(Decimal("6"), 0.80, activity=1.5, median_trade_notional=150.0),
    "DOTUSDT": AssetProfile(Decimal("5"), 0.80, activity=1.5, median_trade_notional=150.0),
    "AAPL": _stock("190", 0.25, 4.0),
    "MSFT": _stock("420", 0.25, 3.0),
    "GOOGL": _stock("170", 0.30, 3.0),
    "AMZN": _stock("185", 0.32, 3.0),
    "TSLA": _stock("250", 0.55, 5.0),
}
"""Realistic defaults for the seeded markets."""

FALLBACK_START_PRICE: Final = Decimal(100)
FALLBACK_ANNUAL_VOLATILITY: Final = 0.5


def profile_for(instrument: Instrument) -> AssetProfile:
    """The default profile of ``instrument``'s symbol, or a generic one that fits its tick size."""
    known = DEFAULT_PROFILES.get(instrument.symbol)
    if known is not None:
        return known
    start = max(FALLBACK_START_PRICE, instrument.tick_size * 10_000)
    return AssetProfile(start, FALLBACK_ANNUAL_VOLATILITY)
