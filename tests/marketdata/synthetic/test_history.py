from __future__ import annotations

import functools
from decimal import Decimal

import pytest

from paperex.marketdata.aggregation import CANDLE_INTERVALS, open_time_of
from paperex.marketdata.events import Kline, Trade
from paperex.marketdata.synthetic import MarketSettings, SyntheticMarket, profile_for
from paperex.marketdata.synthetic.history import (
    SimulatedSpan,
    candles_by_interval,
    continuing_profiles,
    history_start,
    simulate_span,
    synthetic_history,
    trades_per_second,
)
from tests.marketdata.synthetic_fixtures import INSTRUMENTS, START_MS

MINUTE = 60_000
SECONDS_KEPT = 15 * MINUTE
"""How far back 1s candles reach (the module says why)."""
DAY = 24 * 60 * MINUTE
END = START_MS + 123_456
"""Not on a minute: the history ends inside an open 1-minute candle."""
BY_SYMBOL = {instrument.symbol: instrument for instrument in INSTRUMENTS}


@functools.cache
def history(seed: int = 0, end: int = END) -> dict[str, SimulatedSpan]:
    return synthetic_history(INSTRUMENTS, seed=seed, end_ms=end)


@functools.cache
def candles(symbol: str) -> dict[str, list[Kline]]:
    return candles_by_interval(history()[symbol], END)


def test_the_same_seed_and_end_give_the_same_history_and_another_seed_does_not() -> None:
    again = synthetic_history(INSTRUMENTS, seed=0, end_ms=END)
    other = history(seed=1)

    assert again == history()
    for symbol in BY_SYMBOL:
        assert other[symbol].minutes != history()[symbol].minutes
        assert other[symbol].last_price != history()[symbol].last_price


def test_the_history_covers_the_day_with_every_interval_and_ends_in_open_candles() -> None:
    day = candles("BTCUSDT")

    assert set(day) == set(CANDLE_INTERVALS)
    minutes = day["1m"]
    assert len([k for k in minutes if k.closed]) == 24 * 60
    assert minutes[0].open_time == history_start(END) == open_time_of(END, "1m") - DAY
    for interval, series in day.items():
        *closed, last = series
        assert all(k.closed and k.close_time < END for k in closed), interval
        assert not last.closed, interval
        assert last.open_time <= END <= last.close_time, interval
        assert last.event_time == END - 1, interval


@pytest.mark.parametrize("symbol", list(BY_SYMBOL))
def test_every_candle_is_the_exact_aggregate_of_its_shorter_candles(symbol: str) -> None:
    day = candles(symbol)
    for shorter, longer in [("1s", "1m")] + [
        ("1m", interval) for interval in CANDLE_INTERVALS if interval not in ("1s", "1m")
    ]:
        parts = day[shorter]
        wholes = day[longer] if shorter == "1m" else day[longer][-16:]  # 1s: the recent ones
        for whole in wholes:
            inside = [k for k in parts if whole.open_time <= k.open_time <= whole.close_time]
            assert inside, (longer, whole.open_time)
            assert whole.open == inside[0].open
            assert whole.close == inside[-1].close
            assert whole.high == max(k.high for k in inside)
            assert whole.low == min(k.low for k in inside)
            assert whole.volume == sum(k.volume for k in inside)
            assert whole.quote_volume == sum(k.quote_volume for k in inside)
            assert whole.trade_count == sum(k.trade_count for k in inside)


def test_one_second_candles_cover_only_the_most_recent_minutes() -> None:
    seconds = candles("BTCUSDT")["1s"]

    assert seconds[0].open_time >= open_time_of(END, "1m") - SECONDS_KEPT
    assert seconds[0].open_time < open_time_of(END, "1m") - SECONDS_KEPT + 10_000
    assert len(seconds) > SECONDS_KEPT // 1_000 * 0.9  # BTCUSDT trades most seconds


@pytest.mark.parametrize("symbol", list(BY_SYMBOL))
def test_prices_and_volumes_are_on_the_instruments_grids_and_bars_are_sound(symbol: str) -> None:
    instrument = BY_SYMBOL[symbol]
    for series in candles(symbol).values():
        for k in series:
            assert k.low <= min(k.open, k.close) <= max(k.open, k.close) <= k.high
            assert k.low > 0
            assert k.trade_count >= 1
            for price in (k.open, k.high, k.low, k.close):
                assert price % instrument.tick_size == 0
            assert k.volume > 0
            assert k.volume % instrument.step_size == 0
            assert k.low * k.volume <= k.quote_volume <= k.high * k.volume


def test_volumes_follow_the_markets_share_of_the_live_trades() -> None:
    rates = trades_per_second(INSTRUMENTS)
    for symbol, rate in rates.items():
        counted = sum(k.trade_count for k in candles(symbol)["1m"] if k.closed)
        assert 0.5 * rate * DAY / 1_000 < counted < 2 * rate * DAY / 1_000, symbol
    busiest = max(rates, key=rates.__getitem__)
    assert busiest == "BTCUSDT"


def test_the_live_market_goes_on_from_the_last_price_of_the_history() -> None:
    spans = history()
    last_prices = {symbol: span.last_price for symbol, span in spans.items()}
    market = SyntheticMarket(
        INSTRUMENTS,
        start_ms=END,
        profiles=continuing_profiles(INSTRUMENTS, last_prices),
    )
    first_trades: dict[str, Trade] = {}
    while len(first_trades) < len(INSTRUMENTS):
        for event in market.step():
            if isinstance(event, Trade):
                first_trades.setdefault(event.symbol, event)

    for symbol, first in first_trades.items():
        last_close = candles(symbol)["1s"][-1].close
        assert abs(first.price / last_prices[symbol] - 1) < Decimal("0.0005"), symbol
        assert abs(first.price / last_close - 1) < Decimal("0.0005"), symbol


def test_the_history_does_not_start_where_the_profile_starts() -> None:
    """The check above would pass trivially if the history ended where it began."""
    for symbol, span in history().items():
        start = profile_for(BY_SYMBOL[symbol]).start_price
        assert span.minutes[0].open == pytest.approx(start, rel=Decimal("0.01"))
        assert abs(span.last_price / start - 1) > Decimal("0.0005"), symbol


def test_a_span_asked_to_end_at_a_price_ends_there() -> None:
    instrument = BY_SYMBOL["ETHUSDT"]
    span = simulate_span(
        instrument,
        profile_for(instrument),
        seed=3,
        start_ms=START_MS - START_MS % MINUTE,
        end_ms=START_MS - START_MS % MINUTE + 90 * MINUTE,
        trades_per_second=5.0,
        end_price=Decimal("1234.56"),
        second_candles_ms=0,
    )

    assert span.last_price == Decimal("1234.56")
    assert span.minutes[-1].close == Decimal("1234.56")
    assert span.seconds == []
    assert all(k.closed for k in span.minutes)
    assert len(span.minutes) == 90


def test_a_span_starts_on_a_minute_before_its_end() -> None:
    instrument = BY_SYMBOL["ETHUSDT"]
    make = functools.partial(
        simulate_span, instrument, profile_for(instrument), seed=0, trades_per_second=1.0
    )
    with pytest.raises(ValueError, match="minute"):
        make(start_ms=START_MS + 1, end_ms=START_MS + DAY)
    with pytest.raises(ValueError, match="minute"):
        make(start_ms=START_MS, end_ms=START_MS)


def test_livelier_settings_make_a_wider_day() -> None:
    calm = synthetic_history(INSTRUMENTS, seed=0, end_ms=END)["BTCUSDT"].minutes
    lively = synthetic_history(
        INSTRUMENTS, seed=0, end_ms=END, settings=MarketSettings(volatility_scale=3.0)
    )["BTCUSDT"].minutes

    def spread(minutes: list[Kline]) -> Decimal:
        return sum((k.high - k.low for k in minutes), Decimal(0)) / len(minutes)

    assert spread(lively) > 2 * spread(calm)
