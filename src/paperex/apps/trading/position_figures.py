"""A position's figures at a price: value, unrealized P&L, and today's change.

Pure arithmetic on decimals, shared by ``GET /api/portfolio/`` and the market view socket,
which recomputes it on every candle update.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from paperex.apps.core.fields import format_amount
from paperex.marketdata.events import Ticker24h


def _amount(value: Decimal | None) -> str | None:
    return None if value is None else format_amount(value)


def position_figures(
    *,
    quantity: Decimal,
    average_price: Decimal | None,
    last_price: Decimal | None,
    ticker: Ticker24h | None,
) -> dict[str, str | None]:
    """``market_value``, ``unrealized_pnl``, ``percent_change`` (the market's 24h change) and
    ``equity_change`` (that change applied to the quantity held now), as decimal strings."""
    value = None if last_price is None else quantity * last_price
    unrealized = None
    if value is not None and average_price is not None:
        unrealized = value - average_price * quantity
    return {
        "last_price": _amount(last_price),
        "market_value": _amount(value),
        "unrealized_pnl": _amount(unrealized),
        "percent_change": None if ticker is None else format_amount(ticker.price_change_percent),
        "equity_change": None if ticker is None else format_amount(quantity * ticker.price_change),
    }


def updated_position(
    entry: dict[str, Any], last_price: Decimal, ticker: Ticker24h | None
) -> dict[str, Any]:
    """A ``GET /api/portfolio/`` entry recomputed at a new last price."""
    average = entry.get("average_price")
    return {
        **entry,
        **position_figures(
            quantity=Decimal(entry["quantity"]),
            average_price=None if average is None else Decimal(average),
            last_price=last_price,
            ticker=ticker,
        ),
    }
