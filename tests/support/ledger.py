"""Money checks and funding for tests that run an engine host."""

from __future__ import annotations

from decimal import Decimal

from rest_framework.test import APIClient

from paperex.apps.accounts.models import User
from paperex.apps.trading.gateway.gateway import engine_gateway
from paperex.apps.trading.models import Balance, LedgerEntry
from paperex.domain.commands import Deposit
from paperex.support.clock import wall_clock_ms


def assert_balances_equal_ledger() -> None:
    """Every stored balance equals the sum of the ledger entries into and out of it."""
    totals: dict[tuple[int, int, str], Decimal] = {}
    for entry in LedgerEntry.objects.all():
        if entry.from_user_id is not None:
            key = (entry.from_user_id, entry.asset_id, entry.from_bucket)
            totals[key] = totals.get(key, Decimal(0)) - entry.amount
        if entry.to_user_id is not None:
            key = (entry.to_user_id, entry.asset_id, entry.to_bucket)
            totals[key] = totals.get(key, Decimal(0)) + entry.amount
    for balance in Balance.objects.all():
        assert balance.free == totals.get((balance.user_id, balance.asset_id, "FREE"), 0)
        assert balance.locked == totals.get((balance.user_id, balance.asset_id, "LOCKED"), 0)


def fund(user: User, asset: str, units: Decimal) -> None:
    """Deposit ``units`` of ``asset`` through the running engine (there is no deposit API)."""
    reply = engine_gateway.execute_sync(
        Deposit(timestamp=wall_clock_ms(), user_id=user.pk, asset=asset, amount=int(units))
    )
    assert reply.rejection_reason is None


def fund_btc(user: User, amount: Decimal) -> None:
    """Deposit ``amount`` BTC (8 decimals) through the running engine."""
    fund(user, "BTC", amount.scaleb(8))


def balances(client: APIClient) -> dict[str, tuple[str, str]]:
    """The client's user's (free, locked) per asset, from ``GET /api/balances/``."""
    body = client.get("/api/balances/").json()
    return {row["asset"]: (row["free"], row["locked"]) for row in body}
