"""Reads of the exchange's public trades."""

from __future__ import annotations

from paperex.apps.trading.models import Trade


def public_trade_list(*, market_id: int, limit: int) -> list[Trade]:
    """The market's newest ``limit`` trades, newest first."""
    return list(Trade.objects.filter(market_id=market_id).order_by("-id")[:limit])
