"""Paper markets: which reference trades count, whom they fill, and how the feed shortens the
queue ahead of a resting order."""

from __future__ import annotations

from paperex.domain import OrderType, Side
from paperex.domain.commands import RecordReferenceTrade, UpdateReferenceBook
from paperex.domain.events import Event, OrderFilled, OrderTriggered, TradeExecuted
from paperex.engine import MatchingEngine
from tests.support.engine import ALICE, BOB, SYMBOL, make_engine, of_type, paper_engine, place

BUY, SELL = Side.BUY, Side.SELL


def reference_trade(engine: MatchingEngine, price: int, quantity: int) -> list[Event]:
    return engine.process(
        RecordReferenceTrade(
            timestamp=5, symbol=SYMBOL, price=price, quantity=quantity, aggressor=SELL
        )
    )


def book_update(
    engine: MatchingEngine, bids: tuple[tuple[int, int], ...], *, is_snapshot: bool
) -> list[Event]:
    return engine.process(
        UpdateReferenceBook(timestamp=4, symbol=SYMBOL, bids=bids, asks=(), is_snapshot=is_snapshot)
    )


def last_prices(engine: MatchingEngine) -> tuple[tuple[str, int], ...]:
    return engine.snapshot().last_prices


def test_a_trade_without_price_or_quantity_is_ignored_and_one_tick_one_lot_counts() -> None:
    engine = paper_engine()
    assert reference_trade(engine, 0, 5) == []
    assert reference_trade(engine, 100, 0) == []
    assert last_prices(engine) == ()
    reference_trade(engine, 1, 1)
    assert last_prices(engine) == ((SYMBOL, 1),)


def test_an_exchange_market_ignores_reference_trades_and_books() -> None:
    engine = make_engine()
    place(engine, ALICE, BUY, 100, 2)
    assert reference_trade(engine, 100, 5) == []
    assert book_update(engine, ((100, 5),), is_snapshot=True) == []
    assert last_prices(engine) == ()


def test_a_reference_sell_through_a_resting_bid_fills_it_as_maker_against_a_selling_taker() -> None:
    engine = paper_engine()
    place(engine, ALICE, BUY, 100, 2)
    events = reference_trade(engine, 99, 5)
    [trade] = of_type(events, TradeExecuted)
    assert (trade.price, trade.quantity, trade.taker_side, trade.maker_order_id) == (
        100,
        2,
        SELL,
        1,
    )
    assert trade.is_reference


def test_a_reference_trade_that_moves_the_last_price_triggers_stops() -> None:
    engine = paper_engine(bids=((90, 10),), asks=((110, 10),))
    reference_trade(engine, 100, 1)
    place(engine, ALICE, SELL, None, 1, order_type=OrderType.STOP_LOSS, stop_price=95)
    assert of_type(reference_trade(engine, 100, 1), OrderTriggered) == []
    triggered = of_type(reference_trade(engine, 94, 1), OrderTriggered)
    assert [event.order_id for event in triggered] == [1]


def test_a_snapshot_replaces_the_reference_book_and_a_delta_changes_only_its_levels() -> None:
    engine = paper_engine(bids=((100, 5), (99, 5)))
    book_update(engine, ((98, 1),), is_snapshot=True)
    assert engine.reference_depth(SYMBOL) == ([(98, 1)], [])
    book_update(engine, ((97, 2),), is_snapshot=False)
    assert engine.reference_depth(SYMBOL) == ([(98, 1), (97, 2)], [])


def test_the_queue_ahead_shrinks_with_the_reference_level_by_snapshot_and_by_delta() -> None:
    for is_snapshot in (True, False):
        engine = paper_engine(bids=((100, 5), (99, 4)))
        place(engine, ALICE, BUY, 100, 3)
        place(engine, BOB, BUY, 99, 3)
        book_update(engine, ((100, 2), (99, 4)), is_snapshot=is_snapshot)
        at_100 = of_type(reference_trade(engine, 100, 3), OrderFilled)
        assert [(fill.order_id, fill.quantity) for fill in at_100] == [(1, 1)], is_snapshot
        at_99 = of_type(reference_trade(engine, 99, 5), OrderFilled)
        assert [(fill.order_id, fill.quantity) for fill in at_99 if fill.order_id == 2] == [
            (2, 1)
        ], is_snapshot
