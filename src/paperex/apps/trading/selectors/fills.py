"""Reads of the user's fills."""

from __future__ import annotations

from django.db.models import QuerySet

from paperex.apps.trading.models import Fill


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
