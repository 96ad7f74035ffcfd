from __future__ import annotations

import random
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paperex.marketdata.aggregation import CandleAggregator, RollingTicker, TickerAggregator
from paperex.marketdata.events import Kline, Ticker24h, Trade
from tests.support.market_events import SYMBOL, T0, trade

MINUTE = 60_000
HOUR = 60 * MINUTE
DAY = 24 * HOUR


def test_ticker_over_the_window_with_hand_computed_figures() -> None:
    ticker = RollingTicker("test", "BTCUSDT")
    ticker.add_trade(trade("100", "1", T0))
    ticker.add_trade(trade("120", "2", T0 + HOUR))
    ticker.add_trade(trade("90", "1", T0 + 2 * HOUR))
    ticker.add_trade(trade("110", "0.5", T0 + 3 * HOUR))
    ticker.set_best_quotes(Decimal("109"), Decimal("3"), Decimal("111"), Decimal("4"))

    result = ticker.ticker(T0 + 4 * HOUR)

    assert result is not None
    assert (result.open, result.high, result.low, result.last_price) == tuple(
        map(Decimal, ("100", "120", "90", "110"))
    )
    assert result.volume == Decimal("4.5")
    assert result.quote_volume == Decimal("485")  # 100 + 240 + 90 + 55
    assert result.weighted_average_price == Decimal("107.77777778")
    assert result.price_change == Decimal("10")
    assert result.price_change_percent == Decimal("10.000")
    assert result.last_quantity == Decimal("0.5")
    assert (result.best_bid, result.best_ask_quantity) == (Decimal("109"), Decimal("4"))
    assert (result.open_time, result.close_time) == (T0 + 4 * HOUR - DAY, T0 + 4 * HOUR)
    assert result.trade_count == 4


def test_trades_leave_the_window_and_take_high_low_and_volume_with_them() -> None:
    ticker = RollingTicker("test", "BTCUSDT")
    ticker.add_trade(trade("200", "1", T0))  # the high, soon out of the window
    ticker.add_trade(trade("50", "1", T0 + HOUR))  # the low, out a bit later
    ticker.add_trade(trade("100", "2", T0 + 2 * HOUR))

    # The window starts on a minute: at T0 + DAY it still holds T0's minute, a minute later not.
    assert ticker.ticker(T0 + DAY).trade_count == 3  # type: ignore[union-attr]
    after_first = ticker.ticker(T0 + DAY + MINUTE)
    assert after_first is not None
    assert (after_first.open, after_first.high, after_first.low) == tuple(
        map(Decimal, ("50", "100", "50"))
    )
    assert (after_first.volume, after_first.trade_count) == (Decimal(3), 2)

    later = ticker.mini_ticker(T0 + DAY + HOUR + MINUTE)
    assert later is not None
    assert (later.open, later.high, later.low, later.close, later.volume) == tuple(
        map(Decimal, ("100", "100", "100", "100", "2"))
    )


def test_an_empty_window_keeps_the_last_price_with_zero_volume() -> None:
    ticker = RollingTicker("test", "ETHUSDT")
    assert ticker.ticker() is None
    assert ticker.mini_ticker() is None
    ticker.add_trade(trade("3000", "1", T0, symbol="ETHUSDT"))
    quiet = ticker.ticker(T0 + 2 * DAY)
    assert quiet is not None
    assert (quiet.open, quiet.high, quiet.low, quiet.last_price) == (Decimal(3000),) * 4
    assert (quiet.volume, quiet.quote_volume, quiet.trade_count) == (Decimal(0), Decimal(0), 0)
    assert quiet.price_change == 0
    assert quiet.weighted_average_price == Decimal(3000)


def test_aggregator_keeps_one_ticker_per_symbol() -> None:
    tickers = TickerAggregator(window_ms=HOUR)
    tickers.add_trade(trade("100", "1", T0, symbol="BTCUSDT"))
    tickers.add_trade(trade("5", "1", T0, symbol="ETHUSDT"))
    tickers.add_trade(trade("6", "1", T0 + 10, symbol="ETHUSDT"))
    minis = {mini.symbol: mini for mini in tickers.mini_tickers(T0 + 10)}
    assert minis["ETHUSDT"].close == Decimal(6)
    assert minis["BTCUSDT"].volume == Decimal(1)
    assert [t.symbol for t in tickers.tickers(T0 + HOUR + MINUTE)] == ["BTCUSDT", "ETHUSDT"]
    btc = tickers.for_symbol("BTCUSDT")
    assert btc is not None
    hour_later = btc.ticker(T0 + HOUR + MINUTE)
    assert hour_later is not None
    assert hour_later.trade_count == 0
    assert tickers.for_symbol("DOTUSDT") is None


def test_window_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        RollingTicker("test", "X", window_ms=0)


@given(
    st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=50_000),  # time step
            st.integers(min_value=1, max_value=10_000),  # price in cents
            st.integers(min_value=1, max_value=1_000),  # quantity in lots
        ),
        min_size=1,
        max_size=60,
    )
)
def test_incremental_window_matches_recomputing_from_scratch(
    steps: list[tuple[int, int, int]],
) -> None:
    window = 100_000
    ticker = RollingTicker("test", "X", window_ms=window)
    seen: list[tuple[int, Decimal, Decimal]] = []
    now = T0
    for step, cents, lots in steps:
        now += step
        price, quantity = Decimal(cents) / 100, Decimal(lots) / 1000
        ticker.add_trade(trade(str(price), str(quantity), now))
        seen.append((now, price, quantity))
        window_start = (now - window) - (now - window) % MINUTE
        inside = [(p, q) for t, p, q in seen if t - t % MINUTE >= window_start]
        result = ticker.ticker()
        assert result is not None
        assert result.open == inside[0][0]
        assert result.high == max(p for p, _ in inside)
        assert result.low == min(p for p, _ in inside)
        assert result.volume == sum(q for _, q in inside)
        assert result.quote_volume == sum(p * q for p, q in inside)
        assert result.trade_count == len(inside)


def _minute_candles(trades: list[Trade], now_ms: int) -> list[Kline]:
    aggregator = CandleAggregator(["1m"])
    candles = [k for t in trades for k in aggregator.add_trade(t)]
    candles += aggregator.close_due(now_ms)
    current = aggregator.current(SYMBOL, "1m")
    return candles if current is None else [*candles, current]


def _trades(count: int, start: int, span: int) -> list[Trade]:
    rng = random.Random(11)
    times = sorted(rng.randrange(start, start + span) for _ in range(count))
    return [trade(f"{rng.randint(900, 1100)}.5", f"0.{rng.randint(1, 999):03d}", t) for t in times]


def _figures(ticker: Ticker24h | None) -> tuple[object, ...]:
    assert ticker is not None
    return (
        ticker.open,
        ticker.high,
        ticker.low,
        ticker.last_price,
        ticker.volume,
        ticker.quote_volume,
        ticker.trade_count,
        ticker.price_change_percent,
        ticker.weighted_average_price,
    )


def test_a_ticker_of_minute_candles_equals_the_ticker_of_their_trades() -> None:
    start = T0 - DAY + 30 * 60_000
    trades = _trades(3_000, start, DAY - 30 * 60_000 + 20_000)  # into the open minute
    now = trades[-1].trade_time
    from_trades = RollingTicker("test", SYMBOL)
    for t in trades:
        from_trades.add_trade(t)
    from_candles = RollingTicker("test", SYMBOL)
    for candle in _minute_candles(trades, now):
        from_candles.add_candle(candle)

    assert _figures(from_candles.ticker(now)) == _figures(from_trades.ticker(now))


def test_history_candles_leave_the_window_a_day_after_their_close() -> None:
    trades = _trades(500, T0, HOUR)
    candles = _minute_candles(trades, T0 + HOUR)
    ticker = TickerAggregator()
    for candle in candles:
        ticker.add_candle(candle)
    ticker.add_trade(trade("2000", "1", T0 + DAY))
    first = candles[0]

    before = ticker.for_symbol(SYMBOL)
    assert before is not None
    during = before.ticker(first.close_time + DAY - 1)
    after = before.ticker(first.close_time + DAY + 1)  # the minute after: its minute is out

    assert during is not None
    assert after is not None
    assert during.trade_count == len(trades) + 1
    assert after.trade_count == len(trades) + 1 - first.trade_count
    assert after.volume == during.volume - first.volume
    assert (after.high, after.last_price) == (Decimal("2000"), Decimal("2000"))


def test_the_window_starts_on_a_minute_as_binances_rolling_window_does() -> None:
    ticker = RollingTicker("test", SYMBOL)
    ticker.add_trade(trade("100", "1", T0 + 10_000))  # in the minute T0
    ticker.add_trade(trade("101", "1", T0 + 70_000))  # in the minute T0 + 1 min
    now = T0 + DAY + 59_999  # now - 24 h is still in the minute T0
    at_edge = ticker.ticker(now)
    assert at_edge is not None
    assert (at_edge.open_time, at_edge.close_time) == (T0, now)
    assert (at_edge.open, at_edge.trade_count) == (Decimal(100), 2)
    moved_on = ticker.ticker(now + 1)
    assert moved_on is not None
    assert (moved_on.open_time, moved_on.open, moved_on.trade_count) == (T0 + MINUTE, 101, 1)


@pytest.mark.parametrize("direction", [1, -1])
def test_a_busy_day_keeps_one_entry_per_minute(direction: int) -> None:
    # Prices that only rise (or only fall) keep every minute's low (or high) a candidate.
    ticker = RollingTicker("test", SYMBOL)
    for step in range(0, 2 * DAY, 250):  # four trades a second for two days
        ticker.add_trade(trade(str(10**6 + direction * step // 250), "0.01", T0 + step))
    held = ticker._entries, ticker._highs, ticker._lows
    assert all(len(entries) <= DAY // MINUTE + 1 for entries in held)
    result = ticker.ticker()
    assert result is not None
    assert result.trade_count == (DAY + MINUTE) // 250  # a day, and the minute it starts in
