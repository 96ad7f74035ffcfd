"""Reads of orders, fills, balances, public trades and the exchange book."""

from __future__ import annotations

import time
from datetime import datetime
from decimal import Decimal
from typing import Any

from asgiref.sync import sync_to_async
from django.db.models import F, QuerySet, Sum

from paperex.apps.core.fields import format_amount
from paperex.apps.trading.catalog import CatalogMarket, catalog_load
from paperex.apps.trading.models import OPEN_STATUSES, Balance, Fill, Order, Trade
from paperex.apps.trading.payloads import order_payload

MARKET_CACHE_SECONDS = 30.0
_markets: dict[str, CatalogMarket] = {}
_markets_loaded_at = 0.0


def _markets_refresh() -> dict[str, CatalogMarket]:
    global _markets, _markets_loaded_at
    _markets = dict(catalog_load().markets)
    _markets_loaded_at = time.monotonic()
    return _markets


async def order_entry_market(*, symbol: str) -> CatalogMarket | None:
    """The trading rules of ``symbol`` (case-insensitive) from a cache of at most 30 s."""
    markets = _markets
    if not markets or time.monotonic() - _markets_loaded_at > MARKET_CACHE_SECONDS:
        markets = await sync_to_async(_markets_refresh)()
    return markets.get(symbol.upper())


def order_list(
    *,
    user_id: int,
    symbol: str | None = None,
    status: str | None = None,
    side: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    ordering: str = "-created_at",
) -> QuerySet[Order]:
    """The user's orders, filtered, in ``ordering`` (a field name, ``-`` for descending)."""
    orders = Order.objects.filter(user_id=user_id).select_related("market")
    if symbol:
        orders = orders.filter(market__symbol=symbol.upper())
    if status:
        orders = orders.filter(status=status)
    if side:
        orders = orders.filter(side=side)
    if start is not None:
        orders = orders.filter(created_at__gte=start)
    if end is not None:
        orders = orders.filter(created_at__lte=end)
    descending, field = ordering.startswith("-"), ordering.lstrip("-")
    if field == "symbol":
        field = "market__symbol"
    return orders.order_by(f"-{field}" if descending else field, "-id")


def order_get(*, user_id: int, order_id: int) -> Order:
    """One of the user's orders; raises Order.DoesNotExist (also for another user's order)."""
    return Order.objects.select_related("market").get(user_id=user_id, pk=order_id)


def order_payload_get(*, user_id: int, order_id: int) -> dict[str, Any]:
    """``order_get`` in the API's shape."""
    order = order_get(user_id=user_id, order_id=order_id)
    return order_payload(order, order.market.symbol)


def fill_list(
    *, user_id: int, symbol: str | None = None, order_id: int | None = None
) -> QuerySet[Fill]:
    """The user's fills, newest first."""
    fills = Fill.objects.filter(user_id=user_id).select_related("market", "fee_asset")
    if symbol:
        fills = fills.filter(market__symbol=symbol.upper())
    if order_id is not None:
        fills = fills.filter(order_id=order_id)
    return fills.order_by("-id")


def balance_list(*, user_id: int) -> QuerySet[Balance]:
    """The user's balances by asset code."""
    return Balance.objects.filter(user_id=user_id).select_related("asset").order_by("asset__code")


def public_trade_list(*, market_id: int, limit: int) -> list[Trade]:
    """The market's newest ``limit`` trades, newest first."""
    return list(Trade.objects.filter(market_id=market_id).order_by("-id")[:limit])


def exchange_book_get(*, market_id: int, depth: int) -> dict[str, list[list[str]]]:
    """The users' resting limit orders of a market, aggregated per price, best first."""
    levels = (
        Order.objects.filter(market_id=market_id, status__in=OPEN_STATUSES, price__isnull=False)
        .exclude(type__in=["STOP_LOSS_LIMIT", "TAKE_PROFIT_LIMIT"], triggered=False)
        .values("side", "price")
        .annotate(remaining=Sum(F("quantity") - F("executed_quantity")))
    )
    bids: dict[Decimal, Decimal] = {}
    asks: dict[Decimal, Decimal] = {}
    for level in levels:
        side = bids if level["side"] == "BUY" else asks
        side[level["price"]] = level["remaining"]
    return {
        "bids": _levels(sorted(bids.items(), reverse=True)[:depth]),
        "asks": _levels(sorted(asks.items())[:depth]),
    }


def _levels(levels: list[tuple[Decimal, Decimal]]) -> list[list[str]]:
    return [[format_amount(price), format_amount(quantity)] for price, quantity in levels]
