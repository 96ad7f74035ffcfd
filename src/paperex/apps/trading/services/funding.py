"""Virtual funds: the starting balances of a new account, and going back to them."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings

from paperex.apps.markets.models import Asset
from paperex.apps.trading.gateway.gateway import engine_gateway
from paperex.apps.trading.models import Balance
from paperex.domain.commands import Deposit, EngineCommand, ResetAccount
from paperex.support.clock import wall_clock_ms


def starting_balances() -> dict[str, Decimal]:
    """The virtual funds every new account receives, by asset code."""
    return {code: Decimal(amount) for code, amount in settings.PAPEREX_STARTING_BALANCES.items()}


def balances_grant_starting(*, user_id: int) -> None:
    """Deposit the starting balances of assets the user holds no balance of yet.

    Assets that are not loaded (see ``paperex seed``) are skipped. Raises
    EngineUnavailableError when a host runs that this process cannot reach.
    """
    amounts = starting_balances()
    held = set(Balance.objects.filter(user_id=user_id).values_list("asset__code", flat=True))
    commands: list[EngineCommand] = []
    for asset in Asset.objects.filter(code__in=amounts).exclude(code__in=held).order_by("code"):
        units = int(amounts[asset.code].scaleb(asset.decimals))
        if units > 0:
            commands.append(
                Deposit(timestamp=wall_clock_ms(), user_id=user_id, asset=asset.code, amount=units)
            )
    if commands:
        engine_gateway.fund(user_id=user_id, commands=commands)


def funds_reset(*, user_id: int) -> None:
    """Cancel the user's open orders and set their balances back to the starting balances."""
    amounts = starting_balances()
    balances = tuple(
        (asset.code, int(amounts[asset.code].scaleb(asset.decimals)))
        for asset in Asset.objects.filter(code__in=amounts).order_by("code")
    )
    engine_gateway.fund(
        user_id=user_id,
        commands=[ResetAccount(timestamp=wall_clock_ms(), user_id=user_id, balances=balances)],
    )
