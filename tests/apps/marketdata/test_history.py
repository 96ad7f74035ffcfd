"""The synthetic markets' day of history, stored when the feed starts."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import pytest

from paperex.apps.marketdata.feeds import build_feeds, trading_instruments
from paperex.apps.marketdata.history import FeedHistory, synthetic_history_store
from paperex.apps.markets.models import Candle
from paperex.apps.markets.services import candles_upsert
from paperex.marketdata.aggregation import CANDLE_INTERVALS
from paperex.marketdata.bus import LocalBus
from paperex.marketdata.events import Kline, Ticker24h
from paperex.marketdata.pipeline import FeedPipeline
from paperex.marketdata.synthetic import SyntheticFeed

pytestmark = pytest.mark.django_db
MINUTE = 60_000
HOUR = 60 * MINUTE
DAY = 24 * HOUR
NOW = 1_700_000_000_000 + 23_456
"""2023-11-14 22:13:43.456 UTC: inside a minute, so every interval has an open candle."""
THIS_MINUTE = NOW - NOW % MINUTE


def store(now: int = NOW) -> FeedHistory:
    return synthetic_history_store(trading_instruments(), now_ms=now)


def rows(symbol: str, interval: str) -> list[Candle]:
    return list(
        Candle.objects.filter(market__symbol=symbol, interval=interval).order_by("open_time")
    )


def everything_stored() -> dict[tuple[int, str, int], tuple[Any, ...]]:
    return {
        (c.market_id, c.interval, c.open_time): (c.open, c.high, c.low, c.close, c.volume)
        for c in Candle.objects.all()
    }


def test_a_fresh_start_stores_a_day_of_closed_candles_of_every_interval(seeded: None) -> None:
    history = store()

    for instrument in trading_instruments():
        minutes = rows(instrument.symbol, "1m")
        assert minutes[0].open_time == THIS_MINUTE - DAY
        assert minutes[-1].close_time == THIS_MINUTE - 1
        assert len(minutes) >= 1_430, instrument.symbol  # quiet markets may skip a minute
        for interval in CANDLE_INTERVALS:
            stored = rows(instrument.symbol, interval)
            assert stored, (instrument.symbol, interval)
            assert all(c.closed and c.close_time < NOW for c in stored)
    assert len(rows("BTCUSDT", "1m")) == 24 * 60
    assert rows("BTCUSDT", "1s")[0].open_time >= THIS_MINUTE - 15 * MINUTE
    open_candles = [k for k in history.klines if not k.closed]
    assert {(k.symbol, k.interval) for k in open_candles} >= {
        ("BTCUSDT", interval) for interval in CANDLE_INTERVALS
    }
    assert all(k.open_time <= NOW <= k.close_time for k in open_candles)


def test_stored_longer_candles_are_the_sums_of_the_stored_minutes(seeded: None) -> None:
    store()
    minutes = rows("ETHUSDT", "1m")
    for hour in rows("ETHUSDT", "1h"):
        inside = [m for m in minutes if hour.open_time <= m.open_time <= hour.close_time]
        assert (hour.open, hour.close) == (inside[0].open, inside[-1].close)
        assert hour.high == max(m.high for m in inside)
        assert hour.low == min(m.low for m in inside)
        assert hour.volume == sum(m.volume for m in inside)
        assert hour.trade_count == sum(m.trade_count for m in inside)


def test_a_restart_stores_nothing_twice_and_changes_no_stored_candle(seeded: None) -> None:
    first = store()
    before = everything_stored()

    again = store(NOW + 10_000)

    after = everything_stored()
    assert {key: after[key] for key in before} == before
    added = set(after) - set(before)
    assert {interval for _, interval, _ in added} == {"1s"}  # of those ten seconds
    assert all(open_time >= THIS_MINUTE for _, _, open_time in added)
    assert again.profiles["BTCUSDT"].start_price != first.profiles["BTCUSDT"].start_price


def test_after_a_downtime_the_gap_is_filled_from_the_last_stored_close(seeded: None) -> None:
    store()
    before = everything_stored()
    last_stored = rows("BTCUSDT", "1m")[-1]

    store(NOW + 2 * HOUR)

    after = everything_stored()
    assert {key: after[key] for key in before} == before
    minutes = rows("BTCUSDT", "1m")
    times = [m.open_time for m in minutes]
    assert times == list(range(times[0], THIS_MINUTE + 2 * HOUR, MINUTE))
    first_new = minutes[minutes.index(last_stored) + 1]
    assert first_new.open_time == last_stored.open_time + MINUTE
    assert abs(first_new.open / last_stored.close - 1) < Decimal("0.0005")
    assert minutes[0].open_time == THIS_MINUTE - DAY  # what the first start stored stays


def test_the_time_before_the_first_stored_candle_ends_at_its_open(seeded: None) -> None:
    recent = [
        Kline(
            venue="synthetic",
            symbol="BTCUSDT",
            event_time=t + MINUTE - 1,
            received_at=t + MINUTE - 1,
            interval="1m",
            open_time=t,
            close_time=t + MINUTE - 1,
            open=Decimal("42000.00"),
            high=Decimal("42010.00"),
            low=Decimal("41990.00"),
            close=Decimal("42000.00"),
            volume=Decimal("1.00000"),
            quote_volume=Decimal("42000.0000000"),
            trade_count=10,
            closed=True,
        )
        for t in range(THIS_MINUTE - 30 * MINUTE, THIS_MINUTE, MINUTE)
    ]
    candles_upsert(klines=recent)

    store()

    minutes = rows("BTCUSDT", "1m")
    assert len(minutes) == 24 * 60
    joint = next(i for i, m in enumerate(minutes) if m.open_time == recent[0].open_time)
    assert minutes[joint - 1].close == Decimal("42000.00")
    assert minutes[joint].trade_count == 10  # the stored one, unchanged


def test_the_pipeline_starts_from_the_stored_day(seeded: None) -> None:
    history = store()
    feed = SyntheticFeed(
        trading_instruments(),
        profiles=history.profiles,
        start_ms=NOW,
        history=history.klines,
    )
    pipeline = FeedPipeline(LocalBus(), [feed], store_closed_candles=_ignore, clock=lambda: NOW)
    published = pipeline.bus.subscribe()

    asyncio.run(pipeline.resume(feed.history))

    tickers = {}
    while (event := published.get_nowait()) is not None:
        if isinstance(event, Ticker24h):
            tickers[event.symbol] = event
    assert len(tickers) == 11
    for symbol, ticker in tickers.items():
        day = [*rows(symbol, "1m"), *[k for k in history.klines if _open_minute(k, symbol)]]
        assert ticker.open == day[0].open
        assert ticker.last_price == day[-1].close
        assert ticker.high == max(m.high for m in day)
        assert ticker.low == min(m.low for m in day)
        assert ticker.volume == sum(m.volume for m in day)
        assert ticker.quote_volume == sum(m.quote_volume for m in day)
        assert ticker.trade_count == sum(m.trade_count for m in day)


def test_the_server_feed_starts_with_the_day_stored(seeded: None) -> None:
    [feed] = build_feeds(["synthetic"])
    assert isinstance(feed, SyntheticFeed)
    assert len(rows("BTCUSDT", "1m")) == 24 * 60
    assert any(k.interval == "1d" and not k.closed for k in feed.history)
    btc = next(k for k in feed.history if k.symbol == "BTCUSDT" and not k.closed)
    assert feed.market.book_snapshot("BTCUSDT").bids[0][0] == pytest.approx(
        btc.close, rel=Decimal("0.001")
    )


def _open_minute(kline: Kline, symbol: str) -> bool:
    return kline.symbol == symbol and kline.interval == "1m" and not kline.closed


async def _ignore(klines: list[Kline]) -> None:
    pass
