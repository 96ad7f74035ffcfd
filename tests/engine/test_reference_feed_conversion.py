"""Venue books and trades become reference commands in ticks and lots, never better priced."""

from __future__ import annotations

from decimal import Decimal

from paperex.domain import Instrument, Side
from paperex.domain.commands import RecordReferenceTrade, UpdateReferenceBook
from paperex.engine import reference_book_command, reference_trade_command
from tests.support.market_events import SYMBOL, T0, book, delta, trade

BTCUSDT = Instrument(SYMBOL, "BTC", "USDT", Decimal("0.01"), Decimal("0.0001"))


def test_a_snapshot_rounds_bids_down_asks_up_and_quantities_down_to_lots() -> None:
    snapshot = book(bids=(("100.007", "0.00257"),), asks=(("100.013", "1.00019"),))
    assert reference_book_command(snapshot, BTCUSDT, is_snapshot=True) == UpdateReferenceBook(
        timestamp=T0,
        symbol=SYMBOL,
        bids=((10_000, 25),),
        asks=((10_002, 10_001),),
        is_snapshot=True,
    )


def test_a_snapshot_drops_levels_below_one_tick_or_one_lot_and_keeps_the_rest() -> None:
    snapshot = book(
        bids=(("0.004", "5"), ("0.01", "0.0001"), ("99", "0.00009"), ("98", "2")),
        asks=(("101", "0.00001"), ("102", "0.0001")),
    )
    command = reference_book_command(snapshot, BTCUSDT, is_snapshot=True)
    assert command.bids == ((1, 1), (9_800, 20_000))
    assert command.asks == ((10_200, 1),)


def test_a_delta_keeps_emptied_levels_on_both_sides_as_removals() -> None:
    change = delta(2, 3, bids=(("99", "0"),), asks=(("101", "0.00001"),))
    assert reference_book_command(change, BTCUSDT, is_snapshot=False) == UpdateReferenceBook(
        timestamp=T0, symbol=SYMBOL, bids=((9_900, 0),), asks=((10_100, 0),), is_snapshot=False
    )


def test_a_trade_keeps_its_time_symbol_and_aggressor_and_floors_its_quantity() -> None:
    sold = trade("100.004", "0.00259", T0 + 5, aggressor=Side.SELL)
    assert reference_trade_command(sold, BTCUSDT) == RecordReferenceTrade(
        timestamp=T0 + 5, symbol=SYMBOL, price=10_000, quantity=25, aggressor=Side.SELL
    )
