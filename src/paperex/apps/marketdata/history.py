"""The synthetic markets' stored past: what a starting server backfills and its feed continues.

For each market, the day before now (``history_start``) is made complete: on a fresh database
the whole day is simulated; otherwise the time before the first stored 1-minute candle is
simulated to end at that candle's open, and the time from the last stored one up to now (a
downtime) to start at its close. The longer candles touched are rolled up from the stored and new
1-minute candles together. Only candles that are not stored yet are inserted, so a restart never
duplicates or changes a stored candle. The open candles (those containing now) are not stored:
the feed pipeline continues them with live trades, and starts its 24h tickers from the day's
1-minute candles.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from paperex.apps.markets.models import Candle
from paperex.apps.markets.services import candles_add_missing
from paperex.domain import Instrument
from paperex.marketdata.aggregation import candles_rolled_up_from_minutes
from paperex.marketdata.aggregation.intervals import MINUTE, open_time_of
from paperex.marketdata.events import Kline
from paperex.marketdata.synthetic import VENUE, AssetProfile, MarketSettings, profile_for
from paperex.marketdata.synthetic.history import (
    SimulatedSpan,
    continuing_profiles,
    history_start,
    simulate_span,
    trades_per_second,
)

_SECONDS_BEFORE_STORED: int = 0
"""The time before the first stored candle gets no 1-second candles: it is not recent."""


@dataclass(frozen=True)
class FeedHistory:
    """Where the synthetic feed starts: from the history's prices and candles."""

    profiles: dict[str, AssetProfile]
    """Each market's profile, starting at the price its history ended at."""
    klines: list[Kline]
    """The 1-minute candles of the last day and the open candle of every interval."""


def synthetic_history_store(
    instruments: Sequence[Instrument],
    *,
    now_ms: int,
    seed: int = 0,
    profiles: Mapping[str, AssetProfile] | None = None,
    settings: MarketSettings | None = None,
) -> FeedHistory:
    """Store each market's missing history of the last day (see the module notes)."""
    settings = settings or MarketSettings()
    rates = trades_per_second(instruments, profiles, settings)
    window_start = history_start(now_ms)
    last_prices: dict[str, Decimal] = {}
    minutes_of_day: list[Kline] = []
    open_candles: list[Kline] = []
    to_store: list[Kline] = []
    for instrument in instruments:
        simulate = functools.partial(
            simulate_span,
            instrument,
            (profiles or {}).get(instrument.symbol) or profile_for(instrument),
            seed=seed,
            trades_per_second=rates[instrument.symbol],
            volatility_scale=settings.volatility_scale,
        )
        stored = _stored_minutes(instrument, since=open_time_of(window_start, "1d"))
        spans: list[SimulatedSpan] = []
        if stored and stored[0].open_time > window_start:
            before = simulate(
                start_ms=window_start,
                end_ms=stored[0].open_time,
                end_price=stored[0].open,
                second_candles_ms=_SECONDS_BEFORE_STORED,
            )
            spans.append(before)
        gap_start = max(stored[-1].open_time + MINUTE, window_start) if stored else window_start
        if gap_start < now_ms:
            start_price = stored[-1].close if stored else None
            spans.append(simulate(start_ms=gap_start, end_ms=now_ms, start_price=start_price))
            last_prices[instrument.symbol] = spans[-1].last_price
        else:
            last_prices[instrument.symbol] = stored[-1].close
        new_minutes = [kline for span in spans for kline in span.minutes]
        minutes = sorted(stored + new_minutes, key=lambda kline: kline.open_time)
        candles = candles_rolled_up_from_minutes(minutes, now_ms=now_ms)
        candles["1m"] = new_minutes  # the stored ones are stored
        candles["1s"] = [kline for span in spans for kline in span.seconds]
        for series in candles.values():
            to_store += [kline for kline in series if kline.closed]
            if series and not series[-1].closed:
                open_candles.append(series[-1])
        minutes_of_day += [k for k in minutes if k.open_time >= window_start and k.closed]
    candles_add_missing(klines=to_store)
    return FeedHistory(
        continuing_profiles(instruments, last_prices, profiles),
        minutes_of_day + open_candles,
    )


def _stored_minutes(instrument: Instrument, *, since: int) -> list[Kline]:
    rows = (
        Candle.objects.filter(market__symbol=instrument.symbol, interval="1m", open_time__gte=since)
        .order_by("open_time")
        .values_list(
            "open_time", "open", "high", "low", "close", "volume", "quote_volume", "trade_count"
        )
    )
    # The database pads amounts to 12 places: back to the instrument's own.
    price_places = instrument.tick_size
    volume_places = instrument.step_size
    quote_places = instrument.tick_size * instrument.step_size
    return [
        Kline(
            venue=VENUE,
            symbol=instrument.symbol,
            event_time=open_time + MINUTE - 1,
            received_at=open_time + MINUTE - 1,
            interval="1m",
            open_time=open_time,
            close_time=open_time + MINUTE - 1,
            open=open_.quantize(price_places),
            high=high.quantize(price_places),
            low=low.quantize(price_places),
            close=close.quantize(price_places),
            volume=volume.quantize(volume_places),
            quote_volume=quote_volume.quantize(quote_places),
            trade_count=trade_count,
            closed=True,
        )
        for open_time, open_, high, low, close, volume, quote_volume, trade_count in rows
    ]
