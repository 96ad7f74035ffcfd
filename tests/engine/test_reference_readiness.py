"""A paper market fed by a reference feed takes no liquidity after the engine starts until the
feed has delivered a book snapshot and a trade: stale orders are not swept meanwhile."""

from __future__ import annotations

from decimal import Decimal

import pytest

from paperex.domain import (
    ExpiryReason,
    Instrument,
    MarketMode,
    MarketSpec,
    OrderType,
    PercentPriceBySide,
    RejectReason,
    Side,
)
from paperex.domain.commands import RecordReferenceTrade, UpdateReferenceBook
from paperex.domain.events import (
    AmendRejected,
    Event,
    OrderAccepted,
    OrderAmended,
    OrderExpired,
    OrderRejected,
    OrderTriggered,
    TradeExecuted,
)
from paperex.engine import MatchingEngine
from tests.support.engine import (
    ALICE,
    ASSETS,
    BOB,
    SYMBOL,
    amend,
    make_engine,
    of_type,
    only,
    place,
)

BUY, SELL, MARKET = Side.BUY, Side.SELL, OrderType.MARKET
BAND = PercentPriceBySide(Decimal(5), Decimal("0.2"), Decimal(5), Decimal("0.2"))


def waiting_engine() -> MatchingEngine:
    """A paper market whose reference comes from a feed, just started."""
    return make_engine(mode=MarketMode.PAPER, requires_reference=True, band=BAND)


def reference_book(
    engine: MatchingEngine,
    bids: tuple[tuple[int, int], ...] = (),
    asks: tuple[tuple[int, int], ...] = (),
    *,
    is_snapshot: bool = True,
) -> list[Event]:
    return engine.process(
        UpdateReferenceBook(
            timestamp=2, symbol=SYMBOL, bids=bids, asks=asks, is_snapshot=is_snapshot
        )
    )


def reference_trade(engine: MatchingEngine, price: int) -> list[Event]:
    return engine.process(
        RecordReferenceTrade(timestamp=2, symbol=SYMBOL, price=price, quantity=1, aggressor=BUY)
    )


def not_ready(events: list[Event]) -> bool:
    return only(events, OrderRejected).reason is RejectReason.MARKET_NOT_READY


def test_only_a_paper_market_can_wait_for_a_reference() -> None:
    instrument = Instrument(SYMBOL, "BTC", "USDT", Decimal(1), Decimal(1))
    with pytest.raises(ValueError, match="only a PAPER market"):
        MarketSpec(instrument, requires_reference=True)


@pytest.mark.parametrize("book_first", [True, False])
def test_a_market_order_waits_for_a_book_snapshot_and_a_trade(book_first: bool) -> None:
    engine = waiting_engine()
    assert not_ready(place(engine, BOB, BUY, None, 1, order_type=MARKET))
    if book_first:
        reference_book(engine, asks=((100, 5),))
    else:
        reference_trade(engine, 100)
    assert not_ready(place(engine, BOB, BUY, None, 1, order_type=MARKET))
    if book_first:
        reference_trade(engine, 100)
    else:
        reference_book(engine, asks=((100, 5),))
    events = place(engine, BOB, BUY, None, 1, order_type=MARKET)
    assert [(t.price, t.is_reference) for t in of_type(events, TradeExecuted)] == [(100, True)]


def test_book_deltas_do_not_make_the_market_ready() -> None:
    engine = waiting_engine()
    reference_trade(engine, 100)
    reference_book(engine, asks=((100, 5),), is_snapshot=False)
    assert not_ready(place(engine, BOB, BUY, None, 1, order_type=MARKET))


def test_a_market_without_a_reference_feed_is_ready_from_the_start() -> None:
    engine = make_engine(mode=MarketMode.PAPER)
    place(engine, ALICE, SELL, 100, 1)
    assert of_type(place(engine, BOB, BUY, None, 1, order_type=MARKET), TradeExecuted)


def test_orders_that_would_take_are_refused_and_resting_orders_accepted() -> None:
    engine = waiting_engine()
    place(engine, ALICE, SELL, 100, 1)
    assert not_ready(place(engine, BOB, BUY, 100, 1))
    assert not_ready(place(engine, BOB, BUY, None, None, order_type=MARKET, quote_amount=500))
    assert only(place(engine, BOB, BUY, 99, 1), OrderAccepted)
    assert only(place(engine, BOB, BUY, 98, 1, order_type=OrderType.LIMIT_MAKER), OrderAccepted)
    stop = place(engine, BOB, BUY, None, 1, order_type=OrderType.STOP_LOSS, stop_price=120)
    assert only(stop, OrderAccepted)
    assert engine.depth(SYMBOL) == ([(99, 1), (98, 1)], [(100, 1)])


def test_an_amend_that_would_take_waits_too() -> None:
    engine = waiting_engine()
    place(engine, ALICE, SELL, 100, 1)
    order_id = only(place(engine, BOB, BUY, 90, 1), OrderAccepted).order_id
    rejected = only(amend(engine, BOB, order_id, price=100), AmendRejected)
    assert rejected.reason is RejectReason.MARKET_NOT_READY
    assert only(amend(engine, BOB, order_id, price=95), OrderAmended).price == 95


def test_stops_reached_while_waiting_trigger_once_the_market_is_ready() -> None:
    engine = waiting_engine()
    stop = place(engine, BOB, SELL, None, 2, order_type=OrderType.STOP_LOSS, stop_price=95)
    order_id = only(stop, OrderAccepted).order_id
    assert not of_type(reference_trade(engine, 90), OrderTriggered)
    events = reference_book(engine, bids=((89, 5),))
    assert only(events, OrderTriggered).order_id == order_id
    assert [(t.price, t.quantity) for t in of_type(events, TradeExecuted)] == [(89, 2)]


def test_after_a_restart_a_market_sell_waits_and_then_skips_a_stale_bid_far_below() -> None:
    engine = waiting_engine()
    reference_book(engine, bids=((1_000, 1),), asks=((1_001, 1),))
    reference_trade(engine, 1_000)
    place(engine, ALICE, BUY, 1_000, 3)  # Alice's bid, at the market then
    spec = engine.market_specs[0]
    restarted = MatchingEngine.restore(assets=ASSETS, markets=[spec], snapshot=engine.snapshot())

    # The market moved to 60,000 while the engine was down; Bob's market sell was queued.
    assert not_ready(place(restarted, BOB, SELL, None, 2, order_type=MARKET))
    reference_book(restarted, bids=((59_990, 1),), asks=((60_010, 1),))
    reference_trade(restarted, 60_000)
    events = place(restarted, BOB, SELL, None, 2, order_type=MARKET)
    assert [(t.price, t.quantity) for t in of_type(events, TradeExecuted)] == [(59_990, 1)]
    assert only(events, OrderExpired).reason is ExpiryReason.PRICE_BAND
    assert restarted.depth(SYMBOL)[0] == [(1_000, 3)]
