"""Balances as the database and as the engine hold them, in the same shape for comparing."""

from __future__ import annotations

from paperex.apps.trading.catalog import Catalog
from paperex.apps.trading.models import Balance
from paperex.engine import MatchingEngine

BalanceUnits = dict[tuple[int, str], tuple[int, int]]
"""(user id, asset) -> (free, locked) in the asset's units."""


def stored_balances(catalog: Catalog) -> BalanceUnits:
    """Every balance row in the database."""
    return {
        (row.user_id, row.asset.code): (
            catalog.units(row.asset.code, row.free),
            catalog.units(row.asset.code, row.locked),
        )
        for row in Balance.objects.select_related("asset")
    }


def engine_balances(engine: MatchingEngine) -> BalanceUnits:
    """Every balance the engine ever touched."""
    return {
        (record.user_id, record.asset): (record.free, record.locked) for record in engine.balances()
    }
