"""The batch writer stores a batch's events so that the database says what the engine says."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.db import transaction

from paperex.apps.accounts.models import User
from paperex.apps.accounts.services import user_register
from paperex.apps.trading.catalog import Catalog, catalog_read
from paperex.apps.trading.host.batch_writer import BatchRecord, batch_write
from paperex.apps.trading.host.fee_account import fee_account_ensure
from paperex.apps.trading.host.recovery import RestoredState, engine_restore
from paperex.apps.trading.models import Order, Trade
from paperex.domain import OrderType, Side, TimeInForce
from paperex.domain.commands import CancelOrder, Deposit, EngineCommand, PlaceOrder
from paperex.domain.events import OrderAccepted
from tests.support.balances import engine_balances, stored_balances
from tests.support.ledger import assert_balances_equal_ledger
from tests.support.trading import PASSWORD

pytestmark = pytest.mark.django_db


def _write(catalog: Catalog, state: RestoredState, commands: list[EngineCommand]) -> BatchRecord:
    results = [(command, state.engine.process(command)) for command in commands]
    with transaction.atomic():
        return batch_write(
            catalog=catalog,
            results=results,
            open_orders=state.open_orders,
            trade_sequences=state.trade_sequences,
            book_sequences=state.book_sequences,
            books_changed=set(),
        )


@dataclass
class Desk:
    """Alice and Bob at a freshly restored engine, with a BTCUSDT price and size in its units."""

    alice: User
    bob: User
    catalog: Catalog
    state: RestoredState
    price: int
    lots: int


@pytest.fixture
def desk(seeded: None) -> Desk:
    catalog = catalog_read()
    market = catalog.market("BTCUSDT")
    return Desk(
        alice=user_register(username="alice", password=PASSWORD),
        bob=user_register(username="bob", password=PASSWORD),
        catalog=catalog,
        state=engine_restore(catalog=catalog, fee_account_id=fee_account_ensure()),
        price=market.ticks(Decimal(30000)),
        lots=market.lots(Decimal("0.1")),
    )


def _limit(user_id: int, side: Side, price: int, quantity: int) -> PlaceOrder:
    return PlaceOrder(
        timestamp=1,
        user_id=user_id,
        symbol="BTCUSDT",
        side=side,
        order_type=OrderType.LIMIT,
        time_in_force=TimeInForce.GTC,
        price=price,
        quantity=quantity,
    )


def test_one_batch_of_many_changes_to_one_balance_stores_the_last(desk: Desk) -> None:
    alice, bob, catalog, state = desk.alice, desk.bob, desk.catalog, desk.state
    price, lots = desk.price, desk.lots
    # Alice's BTC changes five times and Bob's USDT four times within the one batch.
    commands: list[EngineCommand] = [
        Deposit(timestamp=1, user_id=alice.pk, asset="BTC", amount=10_000_000),
        Deposit(timestamp=1, user_id=alice.pk, asset="BTC", amount=20_000_000),
        _limit(alice.pk, Side.SELL, price, lots),
        _limit(alice.pk, Side.SELL, price, lots),
        _limit(bob.pk, Side.BUY, price, lots),
    ]
    _write(catalog, state, commands)
    assert stored_balances(catalog) == engine_balances(state.engine)
    assert_balances_equal_ledger()

    second_ask = max(order.order_id for order in state.engine.open_orders(user_id=alice.pk))
    _write(
        catalog,
        state,
        [CancelOrder(timestamp=2, user_id=alice.pk, symbol="BTCUSDT", order_id=second_ask)],
    )
    assert stored_balances(catalog) == engine_balances(state.engine)
    assert_balances_equal_ledger()


def test_trades_name_their_orders_and_number_on_across_batches(desk: Desk) -> None:
    alice, bob, catalog, state = desk.alice, desk.bob, desk.catalog, desk.state
    price, lots = desk.price, desk.lots
    deposit = Deposit(timestamp=1, user_id=alice.pk, asset="BTC", amount=30_000_000)
    first = _write(
        catalog,
        state,
        [
            deposit,
            _limit(alice.pk, Side.SELL, price, lots),
            _limit(alice.pk, Side.SELL, price, lots),
            _limit(bob.pk, Side.BUY, price, 2 * lots),  # takes both asks: two trades
        ],
    )
    second = _write(  # now the seller takes
        catalog,
        state,
        [_limit(bob.pk, Side.BUY, price, lots), _limit(alice.pk, Side.SELL, price, lots)],
    )
    asks = [first.orders_per_command[1][0].id, first.orders_per_command[2][0].id]
    bids = [first.orders_per_command[3][0].id, second.orders_per_command[0][0].id]
    asks.append(second.orders_per_command[1][0].id)
    trades = Trade.objects.filter(market__symbol="BTCUSDT").order_by("sequence")
    assert [(t.sequence, t.taker_side, t.taker_order_id, t.maker_order_id) for t in trades] == [
        (1, "BUY", bids[0], asks[0]),
        (2, "BUY", bids[0], asks[1]),
        (3, "SELL", asks[2], bids[1]),
    ]


def test_orders_are_stored_in_the_state_the_engine_left_them(seeded: None) -> None:
    alice = user_register(username="alice", password=PASSWORD)
    catalog = catalog_read()
    state = engine_restore(catalog=catalog, fee_account_id=fee_account_ensure())
    market = catalog.market("BTCUSDT")
    lots = market.lots(Decimal("0.1"))
    bid = _limit(alice.pk, Side.BUY, market.ticks(Decimal(20000)), lots)
    results = state.engine.process(bid)
    order_id = next(event.order_id for event in results if isinstance(event, OrderAccepted))
    with transaction.atomic():
        batch_write(
            catalog=catalog,
            results=[(bid, results)],
            open_orders=state.open_orders,
            trade_sequences=state.trade_sequences,
            book_sequences=state.book_sequences,
            books_changed=set(),
        )
    _write(
        catalog,
        state,
        [CancelOrder(timestamp=2, user_id=alice.pk, symbol="BTCUSDT", order_id=order_id)],
    )
    stored = Order.objects.get(pk=order_id)
    assert (stored.status, stored.locked) == ("CANCELED", 0)
    assert order_id not in state.open_orders
    assert state.engine.order(order_id) is None


def test_the_record_tells_the_orders_it_accepted_and_the_money_from_outside(
    seeded: None,
) -> None:
    """What the host publishes after commit: which orders are new (their first report) and
    the deposits and withdrawals (Binance's ``balanceUpdate``), not the trading in between."""
    alice = user_register(username="alice", password=PASSWORD)
    catalog = catalog_read()
    state = engine_restore(catalog=catalog, fee_account_id=fee_account_ensure())
    market = catalog.market("BTCUSDT")
    first = _write(
        catalog,
        state,
        [
            Deposit(timestamp=1, user_id=alice.pk, asset="BTC", amount=10_000_000),
            _limit(alice.pk, Side.SELL, market.ticks(Decimal(30000)), market.lots(Decimal("0.1"))),
        ],
    )
    [placed] = first.orders_per_command[1]
    assert first.created_order_ids == {placed.id}
    [deposit] = first.transfers
    assert (deposit.to_user_id, deposit.from_user_id, deposit.amount, deposit.reason) == (
        alice.pk,
        None,
        Decimal("0.1"),
        "DEPOSIT",
    )
    second = _write(
        catalog,
        state,
        [CancelOrder(timestamp=2, user_id=alice.pk, symbol="BTCUSDT", order_id=placed.id)],
    )
    assert (second.created_order_ids, second.transfers) == (set(), [])
    assert [order.id for order in second.orders_per_command[0]] == [placed.id]
