from __future__ import annotations

from decimal import Decimal

from paperex.domain import Side
from paperex.marketdata.events import BookDelta, BookSnapshot, Kline, Quote, Trade
from paperex.marketdata.live_view import LiveMarketView

D = Decimal


def snapshot(last_update_id: int = 10) -> BookSnapshot:
    return BookSnapshot(
        venue="binance",
        symbol="BTCUSDT",
        event_time=1,
        received_at=1,
        last_update_id=last_update_id,
        bids=[(D("99"), D("1")), (D("98"), D("2"))],
        asks=[(D("101"), D("1.5")), (D("102"), D("3"))],
    )


def delta(
    first: int, final: int, bids: list[tuple[str, str]], asks: list[tuple[str, str]]
) -> BookDelta:
    return BookDelta(
        venue="binance",
        symbol="BTCUSDT",
        event_time=2,
        received_at=2,
        first_update_id=first,
        final_update_id=final,
        bids=[(D(p), D(q)) for p, q in bids],
        asks=[(D(p), D(q)) for p, q in asks],
    )


def test_book_applies_contiguous_deltas_and_removes_zero_levels() -> None:
    state = LiveMarketView()
    state.apply(snapshot())
    state.apply(delta(11, 12, [("99", "0"), ("100", "4")], [("101", "0.5")]))
    state.apply(delta(13, 13, [], [("100.5", "1")]))
    book = state.of("BTCUSDT").book
    assert book.in_sync
    assert book.book.bids(2) == [(D("100"), D("4")), (D("98"), D("2"))]
    assert book.book.asks(2) == [(D("100.5"), D("1")), (D("101"), D("0.5"))]
    assert book.last_update_id == 13


def test_old_deltas_are_skipped_and_a_gap_goes_out_of_sync_until_a_snapshot() -> None:
    state = LiveMarketView()
    state.apply(snapshot(10))
    state.apply(delta(5, 10, [("99", "0")], []))  # already in the snapshot
    assert state.of("BTCUSDT").book.book.bids(1) == [(D("99"), D("1"))]
    state.apply(delta(15, 16, [("97", "1")], []))  # 11..14 are missing
    book = state.of("BTCUSDT").book
    assert not book.in_sync
    assert book.book.bids() == []
    state.apply(snapshot(20))
    assert state.of("BTCUSDT").book.in_sync


def test_trades_candles_and_quotes_are_kept() -> None:
    state = LiveMarketView()
    trade = Trade(
        venue="synthetic",
        symbol="BTCUSDT",
        event_time=5,
        received_at=5,
        trade_id=1,
        price=D("100.5"),
        quantity=D("0.1"),
        trade_time=5,
        aggressor=Side.SELL,
    )
    candle = Kline(
        venue="synthetic",
        symbol="BTCUSDT",
        event_time=5,
        received_at=5,
        interval="1m",
        open_time=0,
        close_time=59_999,
        open=D("100"),
        high=D("101"),
        low=D("100"),
        close=D("100.5"),
        volume=D("1"),
        quote_volume=D("100.5"),
        trade_count=2,
        closed=False,
    )
    state.apply(trade)
    state.apply(candle)
    assert state.of("BTCUSDT").last_price == D("100.5")
    assert state.of("BTCUSDT").open_candles["1m"] == candle
    state.apply(
        Kline(**{**{f: getattr(candle, f) for f in candle.__struct_fields__}, "closed": True})
    )
    assert "1m" not in state.of("BTCUSDT").open_candles

    assert state.of("AAPL").last_price is None
    state.apply(
        Quote(
            venue="yahoo",
            symbol="AAPL",
            event_time=1,
            received_at=1,
            price=D("150.75"),
            currency="USD",
        )
    )
    assert state.of("AAPL").last_price == D("150.75")
