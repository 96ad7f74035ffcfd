"""Reads of the exchange's public trades."""

from __future__ import annotations

from paperex.apps.core.amounts import datetime_of_ms
from paperex.apps.trading.models import Trade


def public_trade_list(*, market_id: int, limit: int) -> list[Trade]:
    """The market's newest ``limit`` trades, newest first."""
    return list(Trade.objects.filter(market_id=market_id).order_by("-id")[:limit])


def public_trade_window(
    *,
    market_id: int,
    from_id: int | None,
    start_ms: int | None,
    end_ms: int | None,
    limit: int,
) -> list[Trade]:
    """The market's trades oldest first: from the trade ``from_id`` on, else from ``start_ms``
    on, else the newest ``limit`` of those up to ``end_ms``; times in ms since the epoch."""
    trades = Trade.objects.filter(market_id=market_id)
    if from_id is not None:
        trades = trades.filter(id__gte=from_id)
    if start_ms is not None:
        trades = trades.filter(executed_at__gte=datetime_of_ms(start_ms))
    if end_ms is not None:
        trades = trades.filter(executed_at__lte=datetime_of_ms(end_ms))
    if from_id is not None or start_ms is not None:
        return list(trades.order_by("id")[:limit])
    return list(reversed(trades.order_by("-id")[:limit]))
