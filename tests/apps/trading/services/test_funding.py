"""Starting balances: deposited through an engine even when no host runs."""

from __future__ import annotations

from collections.abc import Callable

from rest_framework.test import APIClient

from paperex.apps.accounts.models import User
from paperex.apps.trading.models import Balance
from tests.support.ledger import assert_balances_equal_ledger

Trader = Callable[[str], tuple[User, APIClient]]


def test_funding_without_a_host_goes_through_an_engine_in_the_transaction(
    trader: User,
) -> None:
    rows = {b.asset.code: (b.free, b.locked) for b in Balance.objects.filter(user=trader)}
    assert rows == {"USD": (100000, 0), "USDT": (100000, 0)}
    assert_balances_equal_ledger()
