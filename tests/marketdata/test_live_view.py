from __future__ import annotations

from decimal import Decimal

from paperex.marketdata.events import Kline
from paperex.marketdata.live_view import LiveMarketView
from tests.support.market_events import book, delta, kline, quote, trade

D = Decimal
BIDS = [("99", "1"), ("98", "2")]
ASKS = [("101", "1.5"), ("102", "3")]


def test_book_applies_contiguous_deltas_and_removes_zero_levels() -> None:
    state = LiveMarketView()
    state.apply(book(10, bids=BIDS, asks=ASKS))
    state.apply(delta(11, 12, bids=[("99", "0"), ("100", "4")], asks=[("101", "0.5")]))
    state.apply(delta(13, 13, asks=[("100.5", "1")]))
    sync = state.of("BTCUSDT").book
    assert sync.in_sync
    assert sync.book.bids(2) == [(D("100"), D("4")), (D("98"), D("2"))]
    assert sync.book.asks(2) == [(D("100.5"), D("1")), (D("101"), D("0.5"))]
    assert sync.last_update_id == 13


def test_old_deltas_are_skipped_and_a_gap_goes_out_of_sync_until_a_snapshot() -> None:
    state = LiveMarketView()
    state.apply(book(10, bids=BIDS, asks=ASKS))
    state.apply(delta(5, 10, bids=[("99", "0")]))  # already in the snapshot
    assert state.of("BTCUSDT").book.book.bids(1) == [(D("99"), D("1"))]
    state.apply(delta(15, 16, bids=[("97", "1")]))  # 11..14 are missing
    sync = state.of("BTCUSDT").book
    assert not sync.in_sync
    assert sync.book.bids() == []
    state.apply(book(20, bids=BIDS, asks=ASKS))
    assert state.of("BTCUSDT").book.in_sync


def test_trades_candles_and_quotes_are_kept() -> None:
    state = LiveMarketView()
    last_trade = trade("100.5", "0.1")
    candle = kline("100.5")
    state.apply(last_trade)
    state.apply(candle)
    assert state.of("BTCUSDT").last_price == D("100.5")
    assert state.of("BTCUSDT").open_candles["1m"] == candle
    closed = Kline(**{**{f: getattr(candle, f) for f in candle.__struct_fields__}, "closed": True})
    state.apply(closed)
    assert "1m" not in state.of("BTCUSDT").open_candles
    assert state.of("BTCUSDT").last_closed_candles["1m"] == closed

    assert state.of("AAPL").last_price is None
    state.apply(quote("150.75", symbol="AAPL"))
    assert state.of("AAPL").last_price == D("150.75")


def test_markets_whose_book_or_trades_stopped_arriving_are_stale() -> None:
    now = [1_000_000]
    state = LiveMarketView(clock=lambda: now[0])
    state.apply(book(10, bids=BIDS, asks=ASKS))
    state.apply(trade("100", "0.1"))
    state.apply(book(10, bids=BIDS, asks=ASKS, symbol="ETHUSDT"))  # never traded
    state.apply(quote("150.75", symbol="AAPL"))  # quotes only
    assert state.stale_markets(max_age=5_000) == {}

    now[0] += 4_000
    state.apply(delta(11, 11, bids=[("99", "2")]))
    now[0] += 2_000  # BTCUSDT's book moved 2 s ago, its last trade 6 s ago
    assert state.stale_markets(max_age=5_000) == {
        "BTCUSDT": "no trade for 6 s",
        "ETHUSDT": "no book update for 6 s",
    }
    state.apply(trade("101", "0.1"))
    assert state.stale_markets(max_age=5_000) == {"ETHUSDT": "no book update for 6 s"}
