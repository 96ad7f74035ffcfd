from __future__ import annotations

from decimal import Decimal

import msgspec
import pytest

from paperex.domain import Asset, Instrument, OrderType, RejectReason, Side
from paperex.domain.commands import AmendOrder, PlaceOrder
from paperex.domain.events import OrderRejected
from paperex.domain.records import BalanceRecord
from paperex.engine import EngineSnapshot, MatchingEngine, place_order_from_decimals
from tests.support.engine import ALICE, ASSETS, BOB, CAROL, SYMBOL, make_engine, place

BUY, SELL = Side.BUY, Side.SELL


def busy_engine() -> MatchingEngine:
    engine = make_engine(maker_fee="0.001", taker_fee="0.002")
    place(engine, ALICE, SELL, 105, 4)
    place(engine, CAROL, SELL, 105, 3)
    place(engine, ALICE, SELL, 107, 2, client_order_id="far")
    place(engine, BOB, BUY, 100, 5)
    place(engine, BOB, BUY, 106, 2)  # partly fills ALICE's first ask
    place(engine, CAROL, SELL, None, 1, order_type=OrderType.STOP_LOSS, stop_price=90)
    return engine


def rebuilt(engine: MatchingEngine) -> MatchingEngine:
    encoded = msgspec.json.encode(engine.snapshot())
    snapshot = msgspec.json.decode(encoded, type=EngineSnapshot)
    return MatchingEngine.restore(assets=ASSETS, markets=engine.market_specs, snapshot=snapshot)


def test_a_restored_engine_has_the_same_state_and_continues_identically() -> None:
    original = busy_engine()
    copy = rebuilt(original)
    assert copy.snapshot() == original.snapshot()
    follow_up = [
        PlaceOrder(timestamp=9, user_id=BOB, symbol=SYMBOL, side=BUY, price=107, quantity=9),
        AmendOrder(timestamp=9, user_id=ALICE, symbol=SYMBOL, client_order_id="far", new_price=95),
        PlaceOrder(timestamp=9, user_id=ALICE, symbol=SYMBOL, side=BUY, price=95, quantity=1),
        PlaceOrder(timestamp=9, user_id=BOB, symbol=SYMBOL, side=SELL, price=89, quantity=9),
    ]
    for command in follow_up:
        assert copy.process(command) == original.process(command)
    assert copy.snapshot() == original.snapshot()


def test_restore_refuses_locks_that_do_not_match_the_orders() -> None:
    snapshot = busy_engine().snapshot()
    balances = tuple(
        BalanceRecord(user_id=b.user_id, asset=b.asset, free=b.free, locked=b.locked + 1)
        if b.user_id == BOB and b.asset == "USDT"
        else b
        for b in snapshot.balances
    )
    broken = msgspec.structs.replace(snapshot, balances=balances)
    specs = busy_engine().market_specs
    with pytest.raises(ValueError, match="locked"):
        MatchingEngine.restore(assets=ASSETS, markets=specs, snapshot=broken)


BTCUSDT = Instrument(SYMBOL, "BTC", "USDT", Decimal("0.01"), Decimal("0.001"))
USDT = Asset("USDT", 6)


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"price": Decimal("100.005"), "quantity": Decimal(1)}, RejectReason.PRICE_FILTER),
        ({"price": Decimal(100), "quantity": Decimal("0.0005")}, RejectReason.LOT_SIZE),
        (
            {"order_type": OrderType.STOP_LOSS, "stop_price": Decimal("9.999"), "quantity": 1},
            RejectReason.PRICE_FILTER,
        ),
        (
            {"order_type": OrderType.MARKET, "quote_amount": Decimal("10.0000001")},
            RejectReason.INVALID_PARAMETERS,
        ),
    ],
)
def test_decimals_off_the_grid_are_rejected_at_the_edge(
    fields: dict[str, object], reason: RejectReason
) -> None:
    result = place_order_from_decimals(
        BTCUSDT,
        USDT,
        timestamp=1,
        user_id=ALICE,
        side=BUY,
        **fields,  # type: ignore[arg-type]
    )
    assert isinstance(result, OrderRejected)
    assert result.reason is reason


def test_decimals_on_the_grid_become_ticks_lots_and_units() -> None:
    result = place_order_from_decimals(
        BTCUSDT,
        USDT,
        timestamp=1,
        user_id=ALICE,
        side=BUY,
        price=Decimal("54718.13"),
        quantity=Decimal("0.006"),
    )
    assert isinstance(result, PlaceOrder)
    assert (result.price, result.quantity) == (5_471_813, 6)
    market = place_order_from_decimals(
        BTCUSDT,
        USDT,
        timestamp=1,
        user_id=ALICE,
        side=BUY,
        order_type=OrderType.MARKET,
        quote_amount=Decimal("12.5"),
    )
    assert isinstance(market, PlaceOrder)
    assert market.quote_amount == 12_500_000
