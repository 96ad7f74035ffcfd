"""The synthetic market's past: a deterministic day of candles that the live market continues.

Stepping the live event model through a day (50 events a second, 4.3 million steps) would take
minutes, so the past comes from the same price process at a coarser resolution: the profile's
``VolatilityClusteringWalk`` steps once a minute, and once a second over the most recent hour.
Within a step the high and low are drawn from the Brownian bridge between its open and close (the
distribution of a random walk's extremes given its ends); the trade count is Poisson with the
market's share of the feed's trades, scaled by the current volatility as the live market picks
its markets; the volume is log-normal around the profile's median trade notional. A step without
trades makes no candle, as on a venue.

1-second candles cover only the most recent 15 minutes (``SECOND_CANDLES_MS``): a day of them
would be 86,400 rows per market, about 950,000 for the default markets, and even an hour of them
(40,000 walk steps) would make up most of the start-up time, while the trade page's chart loads
the latest 500 candles, 8 minutes at that interval. Every longer candle is the exact aggregate of
its 1-minute candles, and a 1-minute candle of those last minutes is the exact aggregate of its
1-second candles.

The random numbers come from the seed, the symbol and the span, so the same inputs give the same
candles on any machine. A span may be asked to end at a given price (to fill the time before
stored candles): the whole path is then shifted in log price to arrive there.
"""

from __future__ import annotations

import dataclasses
import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from paperex.domain import Instrument
from paperex.marketdata.aggregation.candles import candles_rolled_up, candles_rolled_up_from_minutes
from paperex.marketdata.aggregation.intervals import (
    DAY,
    MINUTE,
    SECOND,
    open_time_of,
)
from paperex.marketdata.events import Kline
from paperex.marketdata.synthetic.market import VENUE, MarketSettings
from paperex.marketdata.synthetic.price_process import VolatilityClusteringWalk
from paperex.marketdata.synthetic.profiles import AssetProfile, profile_for

HISTORY_MS: Final = DAY
"""How far back a fresh synthetic market's history reaches."""
SECOND_CANDLES_MS: Final = 15 * MINUTE
"""How far back its 1-second candles reach (see the module notes)."""
_NORMAL_APPROXIMATION_FROM: Final = 30.0
"""Poisson means from which a rounded normal draw stands in for the exact one."""


@dataclass(frozen=True, slots=True)
class SimulatedSpan:
    """One market's simulated candles of a span, oldest first; the last ones may be open."""

    seconds: list[Kline]
    minutes: list[Kline]
    last_price: Decimal
    """The price at the end of the span, where the live market goes on."""


@dataclass(frozen=True, slots=True)
class _Step:
    open_time: int
    log_open: float
    log_high: float
    log_low: float
    log_close: float
    trade_count: int
    notional_factor: float


def history_start(end_ms: int) -> int:
    """Where a fresh history ending at ``end_ms`` starts: a day before the minute of ``end_ms``."""
    return open_time_of(end_ms, "1m") - HISTORY_MS


def trades_per_second(
    instruments: Sequence[Instrument],
    profiles: Mapping[str, AssetProfile] | None = None,
    settings: MarketSettings | None = None,
) -> dict[str, float]:
    """Each market's mean trades per second in the live market: its share of the trading steps."""
    settings = settings or MarketSettings()
    activity = {i.symbol: _profile(i, profiles).activity for i in instruments}
    total = sum(activity.values())
    rate = settings.events_per_second * settings.trade_probability
    return {symbol: rate * share / total for symbol, share in activity.items()}


def simulate_span(
    instrument: Instrument,
    profile: AssetProfile,
    *,
    seed: int,
    start_ms: int,
    end_ms: int,
    trades_per_second: float,
    start_price: Decimal | None = None,
    end_price: Decimal | None = None,
    second_candles_ms: int = SECOND_CANDLES_MS,
    volatility_scale: float = 1.0,
) -> SimulatedSpan:
    """The 1s and 1m candles of ``[start_ms, end_ms)`` (see the module notes).

    The walk starts at ``start_price`` (default: the profile's), unless ``end_price`` is given,
    where it then ends. 1s candles cover the last ``second_candles_ms`` and the last, unfinished
    minute. A candle whose close time is not before ``end_ms`` is open.
    Raises ValueError unless ``start_ms`` is on a minute and before ``end_ms``.
    """
    if start_ms % MINUTE or start_ms >= end_ms:
        raise ValueError("a span starts on a minute, before its end")
    rng = random.Random(f"{seed}:{instrument.symbol}:{start_ms}:{end_ms}")
    walk = VolatilityClusteringWalk(
        rng,
        start_price=float(start_price or profile.start_price),
        variance_per_second=profile.variance_per_second * volatility_scale**2,
    )
    seconds_from = max(start_ms, open_time_of(end_ms, "1m") - second_candles_ms)
    coarse = [
        _step(walk, rng, t, 60.0, trades_per_second) for t in range(start_ms, seconds_from, MINUTE)
    ]
    fine = [
        _step(walk, rng, t, min(SECOND, end_ms - t) / SECOND, trades_per_second)
        for t in range(seconds_from, end_ms, SECOND)
    ]
    shift = 0.0 if end_price is None else math.log(end_price) - walk.log_price
    candles = _Candles(instrument, profile, shift, end_ms)
    seconds = [candles.kline(step, "1s", SECOND) for step in fine if step.trade_count]
    minutes = [candles.kline(step, "1m", MINUTE) for step in coarse if step.trade_count]
    minutes += candles_rolled_up(seconds, "1m", now_ms=end_ms)
    last_price = end_price if end_price is not None else candles.price(walk.log_price)
    return SimulatedSpan(seconds, minutes, last_price)


def candles_by_interval(span: SimulatedSpan, end_ms: int) -> dict[str, list[Kline]]:
    """The candles of every interval Paperex keeps: see ``candles_rolled_up_from_minutes``."""
    return {"1s": span.seconds, **candles_rolled_up_from_minutes(span.minutes, now_ms=end_ms)}


def synthetic_history(
    instruments: Sequence[Instrument],
    *,
    seed: int,
    end_ms: int,
    profiles: Mapping[str, AssetProfile] | None = None,
    settings: MarketSettings | None = None,
) -> dict[str, SimulatedSpan]:
    """Each market's history of the day before ``end_ms`` (``history_start``), from its profile's
    start price; the same arguments give the same candles."""
    settings = settings or MarketSettings()
    rates = trades_per_second(instruments, profiles, settings)
    return {
        instrument.symbol: simulate_span(
            instrument,
            _profile(instrument, profiles),
            seed=seed,
            start_ms=history_start(end_ms),
            end_ms=end_ms,
            trades_per_second=rates[instrument.symbol],
            volatility_scale=settings.volatility_scale,
        )
        for instrument in instruments
    }


def continuing_profiles(
    instruments: Sequence[Instrument],
    last_prices: Mapping[str, Decimal],
    profiles: Mapping[str, AssetProfile] | None = None,
) -> dict[str, AssetProfile]:
    """The profiles with each market starting where its history ended (the others as they are)."""
    chosen = {i.symbol: _profile(i, profiles) for i in instruments}
    return {
        symbol: dataclasses.replace(profile, start_price=last_prices[symbol])
        if symbol in last_prices
        else profile
        for symbol, profile in chosen.items()
    }


def _profile(instrument: Instrument, profiles: Mapping[str, AssetProfile] | None) -> AssetProfile:
    return (profiles or {}).get(instrument.symbol) or profile_for(instrument)


def _step(
    walk: VolatilityClusteringWalk,
    rng: random.Random,
    open_time: int,
    seconds: float,
    trades_per_second: float,
) -> _Step:
    log_open = walk.log_price
    variance = walk.variance_per_second * seconds
    busy = walk.volatility_multiplier
    walk.step(seconds)
    log_close = walk.log_price
    trade_count = _poisson(rng, trades_per_second * seconds * busy)
    # The extremes of a Brownian bridge from open to close: P(max > m) = exp(-2(m-o)(m-c)/v).
    middle, squared_move = (log_open + log_close) / 2.0, (log_close - log_open) ** 2
    high = middle + math.sqrt(squared_move + 2.0 * variance * rng.expovariate(1.0)) / 2.0
    low = middle - math.sqrt(squared_move + 2.0 * variance * rng.expovariate(1.0)) / 2.0
    spread = 1.0 / math.sqrt(max(trade_count, 1))  # a sum of many trades varies less
    notional_factor = rng.lognormvariate(0.0, spread)
    return _Step(open_time, log_open, high, low, log_close, trade_count, notional_factor)


def _poisson(rng: random.Random, mean: float) -> int:
    if mean >= _NORMAL_APPROXIMATION_FROM:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


class _Candles:
    """Steps to klines in the instrument's ticks and lots, shifted by ``shift`` in log price."""

    def __init__(
        self, instrument: Instrument, profile: AssetProfile, shift: float, end_ms: int
    ) -> None:
        self.instrument = instrument
        self.tick = float(instrument.tick_size)
        self.step = float(instrument.step_size)
        self.mean_notional = profile.median_trade_notional * math.exp(0.5)  # of a log-normal
        self.shift = shift
        self.end_ms = end_ms

    def ticks(self, log_price: float) -> int:
        return max(1, round(math.exp(log_price + self.shift) / self.tick))

    def price(self, log_price: float) -> Decimal:
        return self.ticks(log_price) * self.instrument.tick_size

    def kline(self, step: _Step, interval: str, length: int) -> Kline:
        close = self.ticks(step.log_close)
        open_ = close if step.trade_count == 1 else self.ticks(step.log_open)
        high, low = max(open_, close), min(open_, close)
        if step.trade_count > 2:  # enough trades to touch the extremes between open and close
            high, low = max(high, self.ticks(step.log_high)), min(low, self.ticks(step.log_low))
        notional = step.trade_count * self.mean_notional * step.notional_factor
        lots = max(step.trade_count, round(notional / (close * self.tick) / self.step))
        volume = lots * self.instrument.step_size
        typical = (high + low) // 2 * self.instrument.tick_size
        close_time = step.open_time + length - 1
        closed = close_time < self.end_ms
        event_time = close_time if closed else self.end_ms - 1
        return Kline(
            venue=VENUE,
            symbol=self.instrument.symbol,
            event_time=event_time,
            received_at=event_time,
            interval=interval,
            open_time=step.open_time,
            close_time=close_time,
            open=open_ * self.instrument.tick_size,
            high=high * self.instrument.tick_size,
            low=low * self.instrument.tick_size,
            close=close * self.instrument.tick_size,
            volume=volume,
            quote_volume=volume * typical,
            trade_count=step.trade_count,
            closed=closed,
        )
