from __future__ import annotations

import operator
import random
from decimal import Decimal

import msgspec
import pytest

from paperex.marketdata.aggregation import (
    CandleAggregator,
    candles_rolled_up,
    interval_milliseconds,
    open_time_of,
)
from paperex.marketdata.events import Kline, Trade
from tests.support.market_events import T0, VENUE, trade

MINUTE = 60_000
HOUR = 60 * MINUTE


@pytest.mark.parametrize(
    ("interval", "expected_open"),
    [
        ("1s", 1_672_515_782_000),  # 19:43:02
        ("1m", 1_672_515_780_000),  # 19:43
        ("5m", 1_672_515_600_000),  # 19:40
        ("15m", 1_672_515_000_000),  # 19:30
        ("1h", 1_672_513_200_000),  # 19:00
        ("4h", 1_672_502_400_000),  # 16:00
        ("1d", 1_672_444_800_000),  # 2022-12-31 00:00
        ("1w", 1_672_012_800_000),  # Monday 2022-12-26 00:00
    ],
)
def test_open_time_is_aligned_to_the_interval_in_utc(interval: str, expected_open: int) -> None:
    assert open_time_of(1_672_515_782_136, interval) == expected_open


def test_unknown_interval_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown interval '7m'"):
        CandleAggregator(["1m", "7m"])


def test_a_later_trade_closes_the_candle_with_hand_computed_ohlcv() -> None:
    aggregator = CandleAggregator(["1m"])
    assert aggregator.add_trade(trade("100", "1", T0 + 1_000)) == ()
    assert aggregator.add_trade(trade("105", "2", T0 + 10_000)) == ()
    assert aggregator.add_trade(trade("99", "0.5", T0 + 30_000)) == ()
    assert aggregator.add_trade(trade("101", "1", T0 + 59_999)) == ()  # last ms of the bar

    emitted = aggregator.add_trade(trade("102", "3", T0 + MINUTE))

    assert emitted == [
        Kline(
            venue=VENUE,
            symbol="BTCUSDT",
            event_time=T0 + MINUTE,
            received_at=T0 + MINUTE,
            interval="1m",
            open_time=T0,
            close_time=T0 + 59_999,
            open=Decimal("100"),
            high=Decimal("105"),
            low=Decimal("99"),
            close=Decimal("101"),
            volume=Decimal("4.5"),
            quote_volume=Decimal("460.5"),  # 100 + 210 + 49.5 + 101
            trade_count=4,
            closed=True,
        )
    ]
    current = aggregator.current("BTCUSDT", "1m")
    assert current is not None
    assert (current.open_time, current.close_time, current.open, current.volume) == (
        T0 + MINUTE,
        T0 + 2 * MINUTE - 1,
        Decimal("102"),
        Decimal("3"),
    )
    assert not current.closed


def test_every_interval_closes_on_its_own_boundary() -> None:
    aggregator = CandleAggregator(["1s", "1m", "5m"])
    aggregator.add_trade(trade("10", "1", T0))
    aggregator.add_trade(trade("11", "1", T0 + 500))

    closed_by_second = aggregator.add_trade(trade("12", "1", T0 + 1_000))
    assert [(k.interval, k.open_time, k.close, k.trade_count) for k in closed_by_second] == [
        ("1s", T0, Decimal("11"), 2)
    ]

    closed_by_minute = aggregator.add_trade(trade("9", "2", T0 + MINUTE + 5))
    assert [(k.interval, k.open_time, k.close_time) for k in closed_by_minute] == [
        ("1s", T0 + 1_000, T0 + 1_999),
        ("1m", T0, T0 + MINUTE - 1),
    ]
    one_minute = closed_by_minute[1]
    assert (one_minute.open, one_minute.high, one_minute.low, one_minute.close) == tuple(
        map(Decimal, ("10", "12", "10", "12"))
    )
    assert one_minute.quote_volume == Decimal("33")

    five_minutes = aggregator.current("BTCUSDT", "5m")
    assert five_minutes is not None
    assert five_minutes.open_time == open_time_of(T0, "5m")
    assert (five_minutes.high, five_minutes.low, five_minutes.trade_count) == (
        Decimal("12"),
        Decimal("9"),
        4,
    )
    assert five_minutes.volume == Decimal("5")


def test_a_gap_without_trades_produces_no_empty_candles() -> None:
    aggregator = CandleAggregator(["1m"])
    aggregator.add_trade(trade("10", "1", T0))
    emitted = aggregator.add_trade(trade("11", "1", T0 + 3 * MINUTE + 1))
    assert [k.open_time for k in emitted] == [T0]
    current = aggregator.current("BTCUSDT", "1m")
    assert current is not None
    assert current.open_time == T0 + 3 * MINUTE


def test_close_due_closes_only_candles_whose_close_time_has_passed() -> None:
    aggregator = CandleAggregator(["1s", "1m"])
    aggregator.add_trade(trade("10", "1", T0 + 100))

    assert aggregator.close_due(T0 + 999) == []
    due = aggregator.close_due(T0 + 1_000)
    assert [(k.interval, k.closed, k.event_time) for k in due] == [("1s", True, T0 + 1_000)]
    assert aggregator.close_due(T0 + 1_000) == []  # never twice

    assert [k.interval for k in aggregator.close_due(T0 + MINUTE)] == ["1m"]
    assert aggregator.current("BTCUSDT", "1m") is None


def test_a_trade_of_an_already_closed_candle_is_late_and_ignored() -> None:
    aggregator = CandleAggregator(["1m"])
    aggregator.add_trade(trade("10", "1", T0 + MINUTE))
    assert aggregator.add_trade(trade("50", "1", T0 + 5)) == ()
    aggregator.close_due(T0 + 2 * MINUTE)
    assert aggregator.add_trade(trade("60", "1", T0 + MINUTE + 5)) == ()
    assert aggregator.late_trades == 2
    assert aggregator.current("BTCUSDT", "1m") is None


def test_out_of_order_trades_within_a_candle_keep_open_and_close_by_trade_time() -> None:
    aggregator = CandleAggregator(["1m"])
    aggregator.add_trade(trade("10", "1", T0 + 20_000))
    aggregator.add_trade(trade("12", "1", T0 + 40_000))
    aggregator.add_trade(trade("8", "1", T0 + 10_000))  # earlier: the new open
    aggregator.add_trade(trade("11", "1", T0 + 30_000))  # neither first nor last
    current = aggregator.current("BTCUSDT", "1m")
    assert current is not None
    assert (current.open, current.high, current.low, current.close, current.trade_count) == (
        Decimal("8"),
        Decimal("12"),
        Decimal("8"),
        Decimal("12"),
        4,
    )


def test_open_candle_updates_are_emitted_and_throttled_by_trade_time() -> None:
    every_trade = CandleAggregator(["1m"], update_every_ms=0)
    updates = [every_trade.add_trade(trade("10", "1", T0 + ms)) for ms in (0, 100, 200)]
    assert [[(k.closed, k.trade_count) for k in batch] for batch in updates] == [
        [(False, 1)],
        [(False, 2)],
        [(False, 3)],
    ]

    throttled = CandleAggregator(["1m"], update_every_ms=2_000)
    times = [0, 1_000, 1_999, 2_000, 3_000, 60_000]
    emitted = [throttled.add_trade(trade("10", "1", T0 + ms)) for ms in times]
    assert [[(k.open_time, k.closed, k.trade_count) for k in batch] for batch in emitted] == [
        [(T0, False, 1)],
        [],
        [],
        [(T0, False, 4)],
        [],
        [(T0, True, 5), (T0 + MINUTE, False, 1)],
    ]


def test_symbols_are_aggregated_separately() -> None:
    aggregator = CandleAggregator(["1m"])
    aggregator.add_trade(trade("100", "1", T0, symbol="BTCUSDT"))
    aggregator.add_trade(trade("5", "2", T0 + 1, symbol="ETHUSDT"))
    closed = aggregator.add_trade(trade("6", "1", T0 + MINUTE, symbol="ETHUSDT"))
    assert [(k.symbol, k.close, k.volume) for k in closed] == [("ETHUSDT", Decimal(5), Decimal(2))]
    assert sorted(aggregator.symbols) == ["BTCUSDT", "ETHUSDT"]
    btc = aggregator.current("BTCUSDT", "1m")
    assert btc is not None
    assert btc.close == Decimal("100")


def test_current_refuses_an_interval_it_does_not_aggregate() -> None:
    with pytest.raises(ValueError, match="not aggregated"):
        CandleAggregator(["1m"]).current("BTCUSDT", "1h")


@pytest.mark.parametrize("interval", ["1s", "1m", "5m", "15m", "1h", "4h", "1d"])
def test_close_time_is_open_time_plus_interval_minus_one(interval: str) -> None:
    aggregator = CandleAggregator([interval])
    aggregator.add_trade(trade("1", "1", T0 + 123))
    candle = aggregator.current("BTCUSDT", interval)
    assert candle is not None
    assert candle.close_time == candle.open_time + interval_milliseconds(interval) - 1
    assert candle.open_time % interval_milliseconds(interval) == 0


def _random_trades(count: int, *, seed: int, start: int = T0, span: int = 3 * HOUR) -> list[Trade]:
    rng = random.Random(seed)
    times = sorted(rng.randrange(start, start + span) for _ in range(count))
    return [
        trade(f"{rng.randint(9_000, 11_000) / 100:.2f}", f"{rng.randint(1, 500) / 100:.2f}", t)
        for t in times
    ]


def _candles(trades: list[Trade], interval: str, now_ms: int) -> list[Kline]:
    aggregator = CandleAggregator([interval])
    closed = [k for t in trades for k in aggregator.add_trade(t)]
    closed += aggregator.close_due(now_ms)
    return closed


@pytest.mark.parametrize(("shorter", "longer"), [("1m", "5m"), ("1m", "1h"), ("15m", "4h")])
def test_rolled_up_candles_equal_the_candles_of_the_same_trades(shorter: str, longer: str) -> None:
    trades = _random_trades(2_000, seed=3)
    now = T0 + 5 * HOUR

    rolled = candles_rolled_up(_candles(trades, shorter, now), longer, now_ms=now)

    direct = _candles(trades, longer, now)
    assert [(k.open_time, k.close_time) for k in rolled] == [
        (k.open_time, k.close_time) for k in direct
    ]
    ohlcv = operator.attrgetter(
        "open", "high", "low", "close", "volume", "quote_volume", "trade_count", "closed"
    )
    assert [ohlcv(k) for k in rolled] == [ohlcv(k) for k in direct]
    assert all(k.interval == longer and k.event_time == k.close_time for k in rolled)


def test_a_rolled_up_candle_that_reaches_now_is_open_at_its_last_part() -> None:
    hour_open = T0 - T0 % HOUR
    trades = _random_trades(300, seed=4, start=hour_open, span=30 * MINUTE)
    now = hour_open + 30 * MINUTE + 1
    minutes = _candles(trades, "1m", now)
    last_trade = trades[-1].trade_time
    minutes[-1] = msgspec.structs.replace(minutes[-1], closed=False, event_time=last_trade)

    [hour] = candles_rolled_up(minutes, "1h", now_ms=now)

    assert (hour.open_time, hour.closed, hour.event_time) == (hour_open, False, last_trade)
    assert hour.trade_count == len(trades)


def test_a_resumed_open_candle_goes_on_as_if_it_had_seen_every_trade() -> None:
    trades = _random_trades(400, seed=5, span=50 * MINUTE)
    half = len(trades) // 2
    everything = CandleAggregator(["1m", "1h"])
    for t in trades:
        everything.add_trade(t)
    first_half = CandleAggregator(["1m", "1h"])
    for t in trades[:half]:
        first_half.add_trade(t)
    resumed = CandleAggregator(["1m", "1h"])
    for interval in ("1m", "1h"):
        candle = first_half.current("BTCUSDT", interval)
        assert candle is not None
        resumed.resume(candle)
    for t in trades[half:]:
        resumed.add_trade(t)

    for interval in ("1m", "1h"):
        assert resumed.current("BTCUSDT", interval) == everything.current("BTCUSDT", interval)


def test_only_an_open_candle_of_a_kept_interval_can_be_resumed() -> None:
    aggregator = CandleAggregator(["1m"])
    aggregator.add_trade(trade("100", "1", T0))
    candle = aggregator.current("BTCUSDT", "1m")
    assert candle is not None
    with pytest.raises(ValueError, match="open candle"):
        aggregator.resume(msgspec.structs.replace(candle, closed=True))
    with pytest.raises(ValueError, match="not aggregated"):
        CandleAggregator(["5m"]).resume(candle)
