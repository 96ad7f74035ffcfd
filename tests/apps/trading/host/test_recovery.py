from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from rest_framework.test import APIClient

from paperex.apps.accounts.models import User
from paperex.apps.trading.gateway.gateway import engine_gateway
from paperex.apps.trading.host.host import EngineHost
from paperex.apps.trading.models import Order
from tests.support.ledger import assert_balances_equal_ledger, fund_btc
from tests.support.trading import place

Trader = Callable[[str], tuple[User, APIClient]]


def test_a_new_host_rebuilds_books_and_balances_from_the_database(
    engine_host: EngineHost, make_trader: Trader
) -> None:
    alice_user, alice = make_trader("alice")
    _, bob = make_trader("bob")
    fund_btc(alice_user, Decimal(1))
    place(alice, symbol="BTCUSDT", side="SELL", price="30000", quantity="0.5")
    place(alice, symbol="BTCUSDT", side="SELL", price="31000", quantity="0.2")
    place(bob, symbol="BTCUSDT", side="BUY", price="29000", quantity="0.1")
    place(bob, symbol="BTCUSDT", side="BUY", price="30000", quantity="0.2")  # partly fills
    assert engine_host.state is not None
    before = engine_host.state.engine.snapshot()
    engine_host.stop()

    restarted = EngineHost()
    restarted.start()
    engine_gateway.attach(restarted)
    try:
        assert restarted.state is not None
        after = restarted.state.engine.snapshot()
        assert after.open_orders == before.open_orders
        assert after.balances == before.balances
        assert (after.next_order_id, after.next_trade_id, after.next_entry_id) == (
            before.next_order_id,
            before.next_trade_id,
            before.next_entry_id,
        )
        # It continues: the next taker fills the rest of the resting ask exactly once.
        taker = place(bob, symbol="BTCUSDT", side="BUY", price="30000", quantity="0.3").json()
        assert (taker["status"], taker["executed_quantity"]) == ("FILLED", "0.3")
        assert Order.objects.get(pk=taker["id"] - 4).status == "FILLED"
        assert_balances_equal_ledger()
    finally:
        restarted.stop()
        engine_host.start()  # let the fixture stop what it started
