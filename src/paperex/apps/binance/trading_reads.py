"""Reads of a user's orders, fills and balances in the windows Binance's endpoints ask for
(ascending ids, ``fromId``, ``startTime``/``endTime``, ``limit``)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from decimal import Decimal
from typing import TypeVar

from django.db.models import Max, QuerySet

from paperex.apps.binance.order_parameters import OrderReference, TimeWindow
from paperex.apps.core.amounts import datetime_of_ms, epoch_ms
from paperex.apps.markets.models import Market
from paperex.apps.trading.models import Balance, Fill, Order
from paperex.apps.trading.selectors.balances import balance_list
from paperex.apps.trading.selectors.fills import fill_list
from paperex.apps.trading.selectors.orders import order_list
from paperex.domain.orders import OrderStatus

Row = TypeVar("Row", Order, Fill)
OPEN_STATUSES = [status.value for status in OrderStatus if status.is_open]


def order_referenced(*, user_id: int, market: Market, reference: OrderReference) -> Order:
    """The user's order in ``market`` that ``reference`` names (by id, client order id, or
    both, which must agree); raises Order.DoesNotExist (also for another user's order)."""
    orders = Order.objects.select_related("market").filter(user_id=user_id, market=market)
    if reference.order_id is not None:
        orders = orders.filter(pk=reference.order_id)
    if reference.client_order_id is not None:
        orders = orders.filter(client_order_id=reference.client_order_id)
    return orders.get()


def order_exists(*, user_id: int, market: Market, order_id: int) -> bool:
    """Whether the user has an order of ``order_id`` in ``market``."""
    return Order.objects.filter(user_id=user_id, market=market, pk=order_id).exists()


def order_fills(order: Order) -> Iterable[Fill]:
    """The order's fills in the order they happened (a query run when iterated); for an order
    that executed nothing (a new order resting in the book, most FULL answers) none, without a
    query, nor compiling one (iterating ``Fill.objects.none()`` does)."""
    if order.executed_quantity == 0:
        return ()
    return fill_list(user_id=order.user_id, order_id=order.id).order_by("id")


def open_orders(*, user_id: int, market: Market | None) -> QuerySet[Order]:
    """The user's open orders (in one market, or all), oldest first."""
    orders = order_list(user_id=user_id, symbol=None if market is None else market.symbol)
    return orders.filter(status__in=OPEN_STATUSES).order_by("id")


def orders_by_ids(*, user_id: int, order_ids: list[int]) -> list[Order]:
    """The user's orders of ``order_ids``, in that order."""
    found = Order.objects.select_related("market").filter(user_id=user_id, pk__in=order_ids)
    by_id = {order.id: order for order in found}
    return [by_id[order_id] for order_id in order_ids if order_id in by_id]


def _time_filtered(rows: QuerySet[Row], field: str, window: TimeWindow) -> QuerySet[Row]:
    if window.start_ms is not None:
        rows = rows.filter(**{f"{field}__gte": datetime_of_ms(window.start_ms)})
    if window.end_ms is not None:
        rows = rows.filter(**{f"{field}__lte": datetime_of_ms(window.end_ms)})
    return rows


def order_window(
    *, user_id: int, market: Market, from_order_id: int | None, window: TimeWindow, limit: int
) -> list[Order]:
    """``allOrders``: the user's orders in ``market``, ascending; from ``from_order_id`` or
    the window's start when given, else the latest ``limit``."""
    orders = _time_filtered(
        Order.objects.select_related("market").filter(user_id=user_id, market=market),
        "created_at",
        window,
    )
    if from_order_id is not None:
        orders = orders.filter(pk__gte=from_order_id)
    if from_order_id is not None or window.start_ms is not None:
        return list(orders.order_by("id")[:limit])
    return sorted(orders.order_by("-id")[:limit], key=lambda order: order.id)


def trade_window(
    *,
    user_id: int,
    market: Market,
    order_id: int | None,
    from_trade_id: int | None,
    window: TimeWindow,
    limit: int,
) -> list[Fill]:
    """``myTrades``: the user's fills in ``market``, ascending by trade; from
    ``from_trade_id`` or the window's start when given, else the latest ``limit``."""
    fills = _time_filtered(
        fill_list(user_id=user_id, symbol=market.symbol, order_id=order_id), "executed_at", window
    )
    if from_trade_id is not None:
        fills = fills.filter(trade_id__gte=from_trade_id)
    if from_trade_id is not None or window.start_ms is not None:
        return list(fills.order_by("trade_id", "id")[:limit])
    return sorted(fills.order_by("-trade_id", "-id")[:limit], key=lambda fill: fill.trade_id)


def account_balances(*, user_id: int, omit_zero: bool) -> list[Balance]:
    """The user's balances by asset; without those holding nothing when ``omit_zero``."""
    balances = balance_list(user_id=user_id)
    if omit_zero:
        balances = balances.exclude(free=0, locked=0)
    return list(balances)


def account_fee_rates() -> tuple[Decimal, Decimal]:
    """The account's (maker, taker) rates: those most trading markets charge (each market's
    own are in ``account/commission``)."""
    rates = Counter(
        Market.objects.filter(status=Market.Status.TRADING).values_list(
            "maker_fee_rate", "taker_fee_rate"
        )
    )
    if not rates:
        return Decimal(0), Decimal(0)
    (maker, taker), _ = rates.most_common(1)[0]
    return maker, taker


def account_update_ms(*, user_id: int) -> int:
    """When the user's balances last changed by a trade or an order (ms), 0 before any."""
    latest = Order.objects.filter(user_id=user_id).aggregate(latest=Max("updated_at"))["latest"]
    return 0 if latest is None else epoch_ms(latest)
