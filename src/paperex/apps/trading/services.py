"""Writes to users' virtual funds."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import transaction

from paperex.apps.accounts.models import User
from paperex.apps.markets.models import Asset
from paperex.apps.trading.models import Balance


def starting_balances() -> dict[str, Decimal]:
    """The virtual funds every new account receives, by asset code."""
    return {code: Decimal(amount) for code, amount in settings.PAPEREX_STARTING_BALANCES.items()}


@transaction.atomic
def balances_grant_starting(*, user: User) -> list[Balance]:
    """Give the user the starting balances for assets they have no balance of yet.

    Assets that are not loaded (see ``paperex seed``) are skipped.
    """
    amounts = starting_balances()
    granted = []
    for asset in Asset.objects.filter(code__in=amounts):
        balance, _ = Balance.objects.get_or_create(
            user=user, asset=asset, defaults={"free": amounts[asset.code]}
        )
        granted.append(balance)
    return granted
