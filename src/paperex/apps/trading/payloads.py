"""JSON-ready shapes of orders and fills, shared by the REST API, engine replies and streams.

One function per shape, so that ``POST /api/orders/``, ``GET /api/orders/<id>/`` and the
``order.update`` stream message always agree.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from paperex.apps.core.fields import format_amount
from paperex.apps.trading.models import Fill, Order


def amount_or_none(value: Decimal | None) -> str | None:
    """An exact amount as a string, or None."""
    return None if value is None else format_amount(value)


def order_payload(order: Order, symbol: str) -> dict[str, Any]:
    """An order as the API shows it (amounts as exact decimal strings, times ISO 8601 UTC)."""
    return {
        "id": order.id,
        "symbol": symbol,
        "client_order_id": order.client_order_id,
        "side": order.side,
        "type": order.type,
        "time_in_force": order.time_in_force,
        "price": amount_or_none(order.price),
        "stop_price": amount_or_none(order.stop_price),
        "quantity": format_amount(order.quantity),
        "quote_order_qty": amount_or_none(order.quote_amount),
        "executed_quantity": format_amount(order.executed_quantity),
        "cumulative_quote": format_amount(order.cumulative_quote),
        "status": order.status,
        "status_reason": order.status_reason,
        "self_trade_prevention": order.self_trade_prevention,
        "created_at": order.created_at.isoformat().replace("+00:00", "Z"),
        "updated_at": order.updated_at.isoformat().replace("+00:00", "Z"),
    }


def fill_payload(fill: Fill, symbol: str, fee_asset: str) -> dict[str, Any]:
    """A fill as the API shows it."""
    return {
        "id": fill.pk,
        "order_id": fill.order_id,
        "trade_id": fill.trade_id,
        "symbol": symbol,
        "side": fill.side,
        "price": format_amount(fill.price),
        "quantity": format_amount(fill.quantity),
        "quote_quantity": format_amount(fill.quote_quantity),
        "fee": format_amount(fill.fee),
        "fee_asset": fee_asset,
        "liquidity": fill.liquidity,
        "is_reference": fill.is_reference,
        "executed_at": fill.executed_at.isoformat().replace("+00:00", "Z"),
    }
