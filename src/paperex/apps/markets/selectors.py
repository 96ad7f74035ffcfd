from __future__ import annotations

from typing import Any

import msgspec
from django.db.models import QuerySet

from paperex.apps.markets.models import Asset, Candle, Market
from paperex.apps.markets.runtime import runtime


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


def order_book_get(*, symbol: str, depth: int) -> dict[str, Any]:
    """The live book of ``symbol`` as JSON-ready data, best levels first."""
    state = runtime.state.of(symbol)
    book = state.book
    return {
        "symbol": symbol,
        "last_update_id": book.last_update_id or 0,
        "in_sync": book.in_sync,
        "updated_at": state.book_updated_at,
        "bids": [[str(price), str(quantity)] for price, quantity in book.book.bids(depth)],
        "asks": [[str(price), str(quantity)] for price, quantity in book.book.asks(depth)],
    }


def ticker_get(*, symbol: str) -> dict[str, Any] | None:
    """The latest 24h ticker of ``symbol`` as JSON-ready data, or None before any trade."""
    ticker = runtime.state.of(symbol).ticker
    if ticker is None:
        return None
    data: dict[str, Any] = msgspec.to_builtins(ticker, builtin_types=())
    data.pop("kind", None)
    return data
