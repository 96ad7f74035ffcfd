"""Aggregation of normalized events: candles, rolling tickers, moving averages, price windows."""

from paperex.marketdata.aggregation.candles import (
    CandleAggregator,
    candles_rolled_up,
    candles_rolled_up_from_minutes,
)
from paperex.marketdata.aggregation.intervals import (
    CANDLE_INTERVALS,
    INTERVAL_MILLISECONDS,
    interval_milliseconds,
    open_time_of,
)
from paperex.marketdata.aggregation.moving_average import CountWindowAverage, TimeWindowAverage
from paperex.marketdata.aggregation.price_window import PriceWindow
from paperex.marketdata.aggregation.ticker import RollingTicker, TickerAggregator

__all__ = [
    "CANDLE_INTERVALS",
    "INTERVAL_MILLISECONDS",
    "CandleAggregator",
    "CountWindowAverage",
    "PriceWindow",
    "RollingTicker",
    "TickerAggregator",
    "TimeWindowAverage",
    "candles_rolled_up",
    "candles_rolled_up_from_minutes",
    "interval_milliseconds",
    "open_time_of",
]
