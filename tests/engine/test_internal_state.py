"""``validate_internal_state`` passes on a healthy engine and names each kind of corruption."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from paperex.domain import OrderType, Side
from paperex.engine import MatchingEngine
from paperex.engine.integrity import InternalStateError
from paperex.engine.market import EngineMarket
from tests.support.engine import ALICE, BOB, SYMBOL, paper_engine, place

BUY, SELL = Side.BUY, Side.SELL


def busy_paper_engine() -> MatchingEngine:
    """Two bid levels, one ask level of two orders, a stop each way, reference on both sides."""
    engine = paper_engine(bids=((90, 5), (89, 2)), asks=((110, 4),))
    place(engine, ALICE, BUY, 95, 1)
    place(engine, ALICE, BUY, 94, 2)
    place(engine, BOB, SELL, 105, 1)
    place(engine, ALICE, SELL, 105, 3)
    place(engine, BOB, BUY, None, 1, order_type=OrderType.STOP_LOSS, stop_price=120)
    place(engine, BOB, SELL, None, 1, order_type=OrderType.STOP_LOSS, stop_price=80)
    return engine


def market_of(engine: MatchingEngine) -> EngineMarket:
    return engine._state.markets[SYMBOL]


def unsort_bid_prices(engine: MatchingEngine) -> None:
    market_of(engine).bids.prices.reverse()


def list_a_price_without_level(engine: MatchingEngine) -> None:
    market_of(engine).asks.prices.append(107)


def leave_an_empty_level(engine: MatchingEngine) -> None:
    market_of(engine).bids.levels[94].clear()


def swap_time_priority(engine: MatchingEngine) -> None:
    level = market_of(engine).asks.levels[105]
    first, second = level
    level.clear()
    level[second] = None
    level[first] = None


def move_an_order_off_its_level(engine: MatchingEngine) -> None:
    next(iter(market_of(engine).bids.levels[95])).price = 96


def give_two_orders_one_priority(engine: MatchingEngine) -> None:
    first, second = market_of(engine).asks.levels[105]
    second.priority = first.priority


def detach_an_order_from_its_level(engine: MatchingEngine) -> None:
    next(iter(market_of(engine).bids.levels[95])).level = {}


def mark_a_stop_triggered(engine: MatchingEngine) -> None:
    next(iter(market_of(engine).stops.rising[120])).triggered = True


def file_a_stop_under_the_wrong_direction(engine: MatchingEngine) -> None:
    stops = market_of(engine).stops
    stops.falling[120] = stops.rising.pop(120)
    stops.falling_prices.append(120)
    stops.rising_prices.remove(120)


def keep_an_empty_reference_level(engine: MatchingEngine) -> None:
    market_of(engine).reference.asks.quantities[110] = 0  # type: ignore[union-attr]


def list_a_reference_price_twice(engine: MatchingEngine) -> None:
    market_of(engine).reference.bids.prices.append(90)  # type: ignore[union-attr]


def forget_an_open_order(engine: MatchingEngine) -> None:
    del engine._state.orders[1]


def forget_a_client_order_id(engine: MatchingEngine) -> None:
    engine._state.client_orders[BOB].clear()


def test_a_busy_engine_is_consistent() -> None:
    busy_paper_engine().validate_internal_state()


@pytest.mark.parametrize(
    ("corrupt", "message"),
    [
        (unsort_bid_prices, "bids: prices .* not strictly ascending"),
        (list_a_price_without_level, "asks: prices .* differ from levels"),
        (leave_an_empty_level, "bids: empty level at 94"),
        (swap_time_priority, "asks 105: order .* out of time priority"),
        (give_two_orders_one_priority, "asks 105: order .* out of time priority"),
        (move_an_order_off_its_level, "bids 95: order 1 .* does not belong here"),
        (detach_an_order_from_its_level, "bids 95: order 1 .* does not belong here"),
        (mark_a_stop_triggered, "rising stops 120: order 5 .* does not belong here"),
        (file_a_stop_under_the_wrong_direction, "falling stops 120: order 5"),
        (keep_an_empty_reference_level, "reference asks: level 110 holds 0"),
        (list_a_reference_price_twice, "reference bids: prices .* not strictly ascending"),
        (forget_an_open_order, "open orders .* differ from the waiting ones"),
        (forget_a_client_order_id, "orders by client order id differ"),
    ],
)
def test_each_corruption_is_named(corrupt: Callable[[MatchingEngine], None], message: str) -> None:
    engine = busy_paper_engine()
    corrupt(engine)
    with pytest.raises(InternalStateError, match=message):
        engine.validate_internal_state()
