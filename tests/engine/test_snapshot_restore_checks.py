"""What a snapshot carries, and the snapshots restore refuses with the order or market named."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from paperex.domain import OrderStatus, OrderType, Side
from paperex.domain.commands import CancelOrder
from paperex.domain.events import OrderCanceled, TradeExecuted
from paperex.engine import EngineSnapshot, MatchingEngine
from tests.support.engine import ALICE, ASSETS, BOB, SYMBOL, cancel, make_engine, of_type, place

BUY, SELL = Side.BUY, Side.SELL


def resting_ask_engine() -> MatchingEngine:
    """ALICE asks 2 at 110 (order 1, client order id "ask"); a trade at 105 set the last price."""
    engine = make_engine()
    place(engine, ALICE, SELL, 110, 2, client_order_id="ask")
    place(engine, BOB, SELL, 105, 1)
    place(engine, ALICE, BUY, 105, 1)
    return engine


def restore(engine: MatchingEngine, snapshot: EngineSnapshot) -> MatchingEngine:
    return MatchingEngine.restore(assets=ASSETS, markets=engine.market_specs, snapshot=snapshot)


def with_first_order(snapshot: EngineSnapshot, **changes: Any) -> EngineSnapshot:
    first, *rest = snapshot.open_orders
    return msgspec.structs.replace(
        snapshot, open_orders=(msgspec.structs.replace(first, **changes), *rest)
    )


def test_a_snapshot_keeps_the_counters_and_last_price_even_with_no_order_open() -> None:
    engine = resting_ask_engine()
    cancel(engine, ALICE, 1)
    snapshot = engine.snapshot()
    assert snapshot.open_orders == ()
    assert snapshot.last_prices == ((SYMBOL, 105),)
    assert (snapshot.next_order_id, snapshot.next_trade_id, snapshot.next_priority) == (4, 2, 4)
    events = place(restore(engine, snapshot), BOB, BUY, 100, 1)
    assert events[0].order_id == 4  # type: ignore[union-attr]


def test_a_restored_resting_order_can_be_canceled_and_leaves_the_book() -> None:
    engine = resting_ask_engine()
    copy = restore(engine, engine.snapshot())
    canceled = copy.process(
        CancelOrder(timestamp=5, user_id=ALICE, symbol=SYMBOL, client_order_id="ask")
    )
    assert [event.order_id for event in of_type(canceled, OrderCanceled)] == [1]
    assert of_type(place(copy, BOB, BUY, 110, 2), TradeExecuted) == []


@pytest.mark.parametrize(
    "changes",
    [{"filled": 2}, {"status": OrderStatus.FILLED}, {"status": OrderStatus.CANCELED}],
)
def test_an_order_that_is_done_cannot_be_restored_as_open(changes: dict[str, Any]) -> None:
    engine = resting_ask_engine()
    broken = with_first_order(engine.snapshot(), **changes)
    with pytest.raises(ValueError, match=r"^order 1 is not open$"):
        restore(engine, broken)


@pytest.mark.parametrize(
    "changes",
    [
        {"order_type": OrderType.MARKET},
        {"order_type": OrderType.STOP_LOSS, "price": None, "stop_price": 111, "triggered": True},
    ],
)
def test_a_market_order_cannot_be_restored_as_open(changes: dict[str, Any]) -> None:
    engine = resting_ask_engine()
    broken = with_first_order(engine.snapshot(), **changes)
    with pytest.raises(ValueError, match=r"^order 1: a market order cannot be open$"):
        restore(engine, broken)


def test_a_triggered_stop_limit_order_is_restored_resting_at_its_limit() -> None:
    engine = resting_ask_engine()
    stop_limit = with_first_order(
        engine.snapshot(), order_type=OrderType.STOP_LOSS_LIMIT, stop_price=111, triggered=True
    )
    copy = restore(engine, stop_limit)
    assert copy.snapshot() == stop_limit
    assert [trade.price for trade in of_type(place(copy, BOB, BUY, 110, 1), TradeExecuted)] == [110]


def test_an_order_id_or_a_client_order_id_twice_is_refused() -> None:
    engine = resting_ask_engine()
    place(engine, ALICE, SELL, 120, 1, client_order_id="other")
    snapshot = engine.snapshot()
    first, second = snapshot.open_orders
    twice = msgspec.structs.replace(snapshot, open_orders=(first, first))
    with pytest.raises(ValueError, match=r"^order 1 appears twice$"):
        restore(engine, twice)
    same_client_id = msgspec.structs.replace(
        snapshot,
        open_orders=(first, msgspec.structs.replace(second, client_order_id="ask")),
    )
    with pytest.raises(ValueError, match=r"^client order id ask appears twice$"):
        restore(engine, same_client_id)


def test_an_order_or_last_price_in_an_unknown_market_is_refused() -> None:
    engine = resting_ask_engine()
    snapshot = engine.snapshot()
    with pytest.raises(ValueError, match=r"^unknown market ETHUSDT$"):
        restore(engine, with_first_order(snapshot, symbol="ETHUSDT"))
    with pytest.raises(ValueError, match=r"^unknown market ETHUSDT$"):
        restore(engine, msgspec.structs.replace(snapshot, last_prices=(("ETHUSDT", 1),)))
