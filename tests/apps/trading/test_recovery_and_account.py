from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from paperex.apps.accounts.models import User
from paperex.apps.trading.gateway.gateway import engine_gateway
from paperex.apps.trading.host.host import EngineHost
from paperex.apps.trading.models import Balance, Order
from tests.apps.trading.conftest import place
from tests.apps.trading.test_orders_api import assert_balances_equal_ledger, balances, fund_btc

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


def test_account_reset_cancels_orders_and_restores_the_starting_funds(
    engine_host: EngineHost, make_trader: Trader
) -> None:
    _, alice = make_trader("alice")
    order = place(alice, symbol="BTCUSDT", side="BUY", price="100", quantity="1").json()
    assert balances(alice)["USDT"] == ("99900", "100")
    reset = alice.post("/api/account/reset/")
    assert reset.status_code == 200
    assert {row["asset"]: row["free"] for row in reset.json()} == {
        "USD": "100000",
        "USDT": "100000",
    }
    assert alice.get(f"/api/orders/{order['id']}/").json()["status"] == "CANCELED"
    assert_balances_equal_ledger()
    # The equity curve gets a point of the reset, worth the starting funds.
    equity = alice.get("/api/portfolio/equity/").json()
    assert [point["equity"] for point in equity] == ["200000"]


def test_funding_without_a_host_goes_through_an_engine_in_the_transaction(
    trader: User,
) -> None:
    rows = {b.asset.code: (b.free, b.locked) for b in Balance.objects.filter(user=trader)}
    assert rows == {"USD": (100000, 0), "USDT": (100000, 0)}
    assert_balances_equal_ledger()


@pytest.mark.django_db
def test_orders_without_an_engine_are_503(trader: User) -> None:
    client = APIClient()
    client.force_authenticate(trader)
    response = place(client, symbol="BTCUSDT", side="BUY", price="100", quantity="1")
    assert response.status_code == 503
    assert response.json()["code"] == "engine_unavailable"
