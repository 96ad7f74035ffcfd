"""Depth lists the best levels first, a hundred a side unless asked for fewer."""

from __future__ import annotations

from paperex.domain import Side
from tests.support.engine import ALICE, BOB, make_engine, place


def test_depth_shows_the_best_hundred_levels_by_default_and_fewer_on_request() -> None:
    engine = make_engine()
    for price in range(1, 102):
        place(engine, ALICE, Side.BUY, price, 1)
        place(engine, BOB, Side.SELL, 1_000 + price, 1)
    bids, asks = engine.depth("BTCUSDT")
    assert (len(bids), bids[0], bids[-1]) == (100, (101, 1), (2, 1))
    assert (len(asks), asks[0], asks[-1]) == (100, (1_001, 1), (1_100, 1))
    assert engine.depth("BTCUSDT", limit=2) == ([(101, 1), (100, 1)], [(1_001, 1), (1_002, 1)])
