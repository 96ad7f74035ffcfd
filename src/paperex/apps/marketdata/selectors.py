"""Live reads of this process's market data: the feed's book and 24h ticker of a market."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import msgspec

from paperex.apps.core.amounts import format_amount
from paperex.apps.marketdata.runtime import runtime


def order_book_get(*, symbol: str, depth: int) -> dict[str, Any]:
    """The live book of ``symbol`` as JSON-ready data, best levels first."""
    state = runtime.state.of(symbol)
    book = state.book
    return {
        "symbol": symbol,
        "last_update_id": book.last_update_id or 0,
        "in_sync": book.in_sync,
        "updated_at": state.book_updated_at,
        "bids": [_level(price, quantity) for price, quantity in book.book.bids(depth)],
        "asks": [_level(price, quantity) for price, quantity in book.book.asks(depth)],
    }


def ticker_get(*, symbol: str) -> dict[str, Any] | None:
    """The latest 24h ticker of ``symbol`` as JSON-ready data, or None before any trade."""
    ticker = runtime.state.of(symbol).ticker
    if ticker is None:
        return None
    data: dict[str, Any] = msgspec.to_builtins(ticker, builtin_types=())
    data.pop("kind", None)
    return data


def _level(price: Decimal, quantity: Decimal) -> list[str]:
    return [format_amount(price), format_amount(quantity)]
