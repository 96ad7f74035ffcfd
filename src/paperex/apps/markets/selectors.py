from __future__ import annotations

from django.db.models import QuerySet

from paperex.apps.markets.models import Asset, Market


def asset_list() -> QuerySet[Asset]:
    return Asset.objects.all()


def market_list(*, kind: str | None = None, status: str | None = None) -> QuerySet[Market]:
    markets = Market.objects.select_related("base", "quote")
    if kind:
        markets = markets.filter(kind=kind)
    if status:
        markets = markets.filter(status=status)
    return markets


def market_get(*, symbol: str) -> Market:
    """The market with this symbol, case-insensitive; raises Market.DoesNotExist."""
    return market_list().get(symbol=symbol.upper())
