"""A trade's records name who traded: the taker's user, and the trade and orders on every ledger
entry it makes."""

from __future__ import annotations

from paperex.domain import Side
from paperex.domain.events import LedgerEntryRecorded, TradeExecuted
from paperex.domain.ledger import LedgerReason
from tests.support.engine import ALICE, BOB, make_engine, of_type, only, place


def test_a_trade_and_its_ledger_entries_name_the_trade_the_orders_and_the_taker() -> None:
    engine = make_engine()
    place(engine, ALICE, Side.SELL, 100, 2)
    events = place(engine, BOB, Side.BUY, 100, 2)
    trade = only(events, TradeExecuted)
    assert (
        trade.taker_user_id,
        trade.taker_order_id,
        trade.maker_user_id,
        trade.maker_order_id,
    ) == (
        BOB,
        2,
        ALICE,
        1,
    )
    payments = [
        (entry.asset, entry.from_user_id, entry.to_user_id, entry.order_id, entry.trade_id)
        for entry in of_type(events, LedgerEntryRecorded)
        if entry.reason is LedgerReason.TRADE
    ]
    assert sorted(payments) == [
        ("BTC", ALICE, BOB, 1, trade.trade_id),
        ("USDT", BOB, ALICE, 2, trade.trade_id),
    ]
