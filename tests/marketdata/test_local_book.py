"""The local book and the documented snapshot + diff synchronization, without I/O."""

from __future__ import annotations

from decimal import Decimal

from paperex.marketdata.local_book import BookSync, LocalOrderBook
from tests.support.market_events import book, delta, levels


def test_levels_are_set_replaced_and_removed_by_a_zero_quantity() -> None:
    book = LocalOrderBook()
    book.replace(levels(("99", "1"), ("98", "2"), ("97", "0")), levels(("101", "1"), ("102", "3")))
    assert len(book) == 4
    book.apply(levels(("99", "0"), ("100", "5")), levels(("102", "1.5"), ("103", "1")))
    assert book.best_bid() == (Decimal("100"), Decimal("5"))
    assert book.best_ask() == (Decimal("101"), Decimal("1"))
    assert book.bids(2) == levels(("100", "5"), ("98", "2"))
    assert book.asks() == levels(("101", "1"), ("102", "1.5"), ("103", "1"))
    book.clear()
    assert (book.best_bid(), book.best_ask(), len(book)) == (None, None, 0)


def test_buffered_diffs_up_to_the_snapshot_are_dropped_and_the_first_straddles_it() -> None:
    sync = BookSync("BTCUSDT")
    assert sync.needs_snapshot
    assert not sync.on_delta(delta(95, 99, bids=[("1", "1")]))
    assert not sync.on_delta(delta(100, 102, bids=[("99", "4")]))
    assert not sync.on_delta(delta(103, 105, asks=[("101", "0")]))
    sync.on_snapshot(book(100, bids=[("99", "1")], asks=[("101", "2"), ("102", "2")]))
    assert sync.in_sync
    assert sync.last_update_id == 105
    assert sync.book.bids() == levels(("99", "4"))
    assert sync.book.asks() == levels(("102", "2"))
    assert sync.on_delta(delta(106, 106, bids=[("99.5", "1")]))
    assert sync.book.best_bid() == (Decimal("99.5"), Decimal("1"))


def test_a_gap_throws_the_book_away_and_asks_for_a_new_snapshot() -> None:
    sync = BookSync("BTCUSDT")
    sync.on_snapshot(book(10, bids=[("99", "1")], asks=[("101", "1")]))
    assert sync.on_delta(delta(11, 12))
    assert not sync.on_delta(delta(14, 15))
    assert sync.needs_snapshot
    assert sync.resyncs == 1
    assert len(sync.book) == 0
    assert not sync.on_delta(delta(16, 18, bids=[("98", "7")]))
    sync.on_snapshot(book(16, bids=[("99", "2")], asks=[]))
    assert sync.last_update_id == 18
    assert sync.book.bids() == levels(("99", "2"), ("98", "7"))


def test_a_snapshot_older_than_the_buffered_diffs_keeps_waiting() -> None:
    sync = BookSync("BTCUSDT")
    sync.on_delta(delta(50, 52))
    sync.on_delta(delta(53, 54))
    sync.on_snapshot(book(40, bids=[("1", "1")], asks=[]))
    assert sync.needs_snapshot
    assert sync.resyncs == 0
    sync.on_snapshot(book(52, bids=[("2", "1")], asks=[]))
    assert sync.last_update_id == 54
    assert sync.book.bids() == levels(("2", "1"))


def test_old_and_duplicate_diffs_after_sync_are_ignored() -> None:
    sync = BookSync("BTCUSDT")
    sync.on_snapshot(book(10, bids=[], asks=[]))
    sync.on_delta(delta(11, 13, bids=[("5", "1")]))
    assert not sync.on_delta(delta(11, 13, bids=[("5", "9")]))
    assert sync.in_sync
    assert sync.book.bids() == levels(("5", "1"))


def test_the_first_diff_after_a_snapshot_must_straddle_its_id() -> None:
    sync = BookSync("BTCUSDT")
    sync.on_snapshot(book(10, bids=[], asks=[]))
    assert not sync.on_delta(delta(12, 14))
    assert sync.needs_snapshot
