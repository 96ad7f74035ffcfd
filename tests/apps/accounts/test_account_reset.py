"""POST /api/account/reset/: back to the starting funds, with a point on the equity curve."""

from __future__ import annotations

from collections.abc import Callable

from rest_framework.test import APIClient

from paperex.apps.accounts.models import User
from paperex.apps.trading.host.host import EngineHost
from tests.support.ledger import assert_balances_equal_ledger, balances
from tests.support.trading import place

Trader = Callable[[str], tuple[User, APIClient]]


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
