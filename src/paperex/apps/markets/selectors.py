from __future__ import annotations

from django.db.models import QuerySet

from paperex.apps.markets.models import Asset, Candle, Market


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


def market_exists(*, symbol: str) -> bool:
    """Whether a market has this symbol (case-insensitive), without reading the market."""
    return Market.objects.filter(symbol=symbol.upper()).exists()


def candle_list(
    *, market: Market, interval: str, start: int | None, end: int | None, limit: int
) -> list[Candle]:
    """Candles opening within [start, end] (ms), oldest first.

    As on Binance: with a start, the first ``limit`` from it; otherwise the newest ``limit``.
    """
    candles = Candle.objects.filter(market=market, interval=interval)
    if start is not None:
        candles = candles.filter(open_time__gte=start)
    if end is not None:
        candles = candles.filter(open_time__lte=end)
    if start is not None:
        return list(candles.order_by("open_time")[:limit])
    return list(reversed(candles.order_by("-open_time")[:limit]))
