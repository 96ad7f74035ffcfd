"""Reads of the user's orders."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet

from paperex.apps.trading.models import Order
from paperex.apps.trading.schemas import OrderView


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


def order_get_by_client_order_id(*, user_id: int, client_order_id: str) -> Order:
    """The user's order of that client order id; raises Order.DoesNotExist."""
    return Order.objects.select_related("market").get(
        user_id=user_id, client_order_id=client_order_id
    )


def order_view_get(*, user_id: int, order_id: int) -> OrderView:
    """``order_get`` as its view."""
    order = order_get(user_id=user_id, order_id=order_id)
    return OrderView.of(order, order.market.symbol)
