from __future__ import annotations

from decimal import Decimal

from paperex.domain import Instrument, LedgerBucket, OrderType, RejectReason, Side
from paperex.domain.commands import RecordReferenceTrade, UpdateReferenceBook
from paperex.domain.events import (
    LedgerEntryRecorded,
    OrderAccepted,
    OrderExpired,
    OrderFilled,
    OrderRejected,
    TradeExecuted,
)
from paperex.engine import MatchingEngine, reference_book_command, reference_trade_command
from paperex.marketdata.events import BookDelta, BookSnapshot, Trade
from tests.support.engine import (
    ALICE,
    BOB,
    SYMBOL,
    free_and_locked,
    make_engine,
    of_type,
    only,
    paper_engine,
    place,
)

BUY, SELL, MARKET = Side.BUY, Side.SELL, OrderType.MARKET


def reference_trade(engine: MatchingEngine, price: int, quantity: int) -> list[object]:
    return list(
        engine.process(
            RecordReferenceTrade(
                timestamp=5, symbol=SYMBOL, price=price, quantity=quantity, aggressor=SELL
            )
        )
    )


def test_a_market_buy_walks_the_reference_book() -> None:
    engine = paper_engine(asks=((100, 2), (101, 3)))
    events = place(engine, BOB, BUY, None, 4, order_type=MARKET)
    trades = of_type(events, TradeExecuted)
    assert [(t.price, t.quantity, t.is_reference, t.maker_order_id) for t in trades] == [
        (100, 2, True, None),
        (101, 2, True, None),
    ]
    assert all(fill.is_reference for fill in of_type(events, OrderFilled))
    assert free_and_locked(engine, BOB, "BTC") == (1_000_004, 0)
    assert free_and_locked(engine, BOB, "USDT") == (1_000_000 - 402, 0)
    assert engine.reference_depth(SYMBOL) == ([], [(101, 1)])


def test_reference_liquidity_is_not_filled_twice_until_the_feed_refreshes_it() -> None:
    engine = paper_engine(asks=((100, 2), (101, 1)))
    place(engine, BOB, BUY, None, 2, order_type=MARKET)
    events = place(engine, BOB, BUY, None, 2, order_type=MARKET)
    assert [(t.price, t.quantity) for t in of_type(events, TradeExecuted)] == [(101, 1)]
    assert only(events, OrderExpired).filled == 1
    engine.process(UpdateReferenceBook(timestamp=6, symbol=SYMBOL, asks=((100, 5),)))
    events = place(engine, BOB, BUY, 100, 3)
    assert [(t.price, t.quantity) for t in of_type(events, TradeExecuted)] == [(100, 3)]


def test_users_come_first_at_an_equal_price_and_better_reference_prices_before_them() -> None:
    engine = paper_engine(asks=((99, 1), (100, 5)))
    resting = only(place(engine, ALICE, SELL, 100, 1), OrderAccepted).order_id
    events = place(engine, BOB, BUY, 100, 3)
    trades = of_type(events, TradeExecuted)
    assert [(t.price, t.maker_order_id) for t in trades] == [
        (99, None),
        (100, resting),
        (100, None),
    ]


def test_a_post_only_order_that_would_take_reference_liquidity_is_rejected() -> None:
    engine = paper_engine(asks=((100, 1),))
    events = place(engine, BOB, BUY, 100, 1, order_type=OrderType.LIMIT_MAKER)
    assert only(events, OrderRejected).reason is RejectReason.WOULD_MATCH_IMMEDIATELY


def test_a_resting_order_waits_for_the_volume_ahead_of_it_in_the_queue() -> None:
    engine = paper_engine(bids=((99, 5),), asks=((101, 5),))
    accepted = only(place(engine, ALICE, BUY, 99, 4), OrderAccepted)
    assert accepted.queue_ahead == 5
    assert not of_type(reference_trade(engine, 99, 3), TradeExecuted)
    assert engine.open_orders(ALICE)[0].queue_ahead == 2
    events = reference_trade(engine, 99, 3)  # 2 still ahead of us, 1 left for us
    fill = only(events, OrderFilled)
    assert (fill.quantity, fill.price, fill.is_reference) == (1, 99, True)
    assert only(events, TradeExecuted).taker_order_id is None
    events = reference_trade(engine, 98, 10)  # prints through our price: we fill
    assert only(events, OrderFilled).quantity == 3
    assert engine.open_orders(ALICE) == []
    assert free_and_locked(engine, ALICE, "BTC") == (1_000_004, 0)
    assert free_and_locked(engine, ALICE, "USDT") == (1_000_000 - 396, 0)


def test_a_shrinking_reference_level_shortens_the_queue_ahead() -> None:
    engine = paper_engine(asks=((101, 8),))
    place(engine, ALICE, SELL, 101, 2)
    engine.process(UpdateReferenceBook(timestamp=6, symbol=SYMBOL, asks=((101, 1),)))
    assert engine.open_orders(ALICE)[0].queue_ahead == 1
    events = reference_trade(engine, 101, 2)
    assert only(events, OrderFilled).quantity == 1


def test_one_reference_trade_is_shared_not_counted_twice() -> None:
    engine = paper_engine()
    place(engine, ALICE, BUY, 100, 3)
    place(engine, BOB, BUY, 100, 3)
    events = reference_trade(engine, 99, 4)
    assert [(fill.user_id, fill.quantity) for fill in of_type(events, OrderFilled)] == [
        (ALICE, 3),
        (BOB, 1),
    ]


def test_reference_fills_move_funds_from_and_to_the_reference() -> None:
    engine = paper_engine(asks=((100, 2),))
    events = place(engine, BOB, BUY, 100, 2)
    buckets = {(e.asset, e.from_bucket, e.to_bucket) for e in of_type(events, LedgerEntryRecorded)}
    assert ("USDT", LedgerBucket.LOCKED, LedgerBucket.REFERENCE) in buckets
    assert ("BTC", LedgerBucket.REFERENCE, LedgerBucket.FREE) in buckets


def test_an_exchange_market_ignores_the_reference_feed() -> None:
    engine = make_engine()
    engine.process(UpdateReferenceBook(timestamp=1, symbol=SYMBOL, asks=((100, 2),)))
    events = place(engine, BOB, BUY, None, 1, order_type=MARKET)
    assert not of_type(events, TradeExecuted)


def test_market_data_events_convert_to_reference_commands_at_the_edge() -> None:
    instrument = Instrument(SYMBOL, "BTC", "USDT", Decimal("0.01"), Decimal("0.001"))
    common = {"venue": "binance", "symbol": "BTCUSDT", "event_time": 7, "received_at": 8}
    snapshot = BookSnapshot(
        **common,
        last_update_id=1,
        bids=[(Decimal("100.005"), Decimal("1.2345")), (Decimal("100.00"), Decimal("1"))],
        asks=[(Decimal("100.011"), Decimal("0.5")), (Decimal("100.02"), Decimal("0.0001"))],
    )
    command = reference_book_command(snapshot, instrument, is_snapshot=True)
    assert command.bids == ((10_000, 2_234),)  # 100.005 rounds down onto 100.00 and merges
    assert command.asks == ((10_002, 500),)  # 100.011 rounds up; the dust level drops
    delta = BookDelta(
        **common, first_update_id=2, final_update_id=3, bids=[(Decimal(100), Decimal(0))], asks=[]
    )
    assert reference_book_command(delta, instrument, is_snapshot=False).bids == ((10_000, 0),)
    trade = Trade(
        **common,
        trade_id=1,
        price=Decimal("100.02"),
        quantity=Decimal("0.0025"),
        trade_time=7,
        aggressor=Side.BUY,
    )
    converted = reference_trade_command(trade, instrument)
    assert (converted.price, converted.quantity, converted.timestamp) == (10_002, 2, 7)
