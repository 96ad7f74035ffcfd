"""Reads for the web pages: which markets exist and whether the JavaScript bundle is built."""

from __future__ import annotations

from typing import Any

from django.contrib.staticfiles import finders

from paperex.apps.core.amounts import format_amount
from paperex.apps.markets.models import Market
from paperex.apps.markets.selectors import market_get, market_list
from paperex.apps.markets.serializers import percent_price_by_side_data

BUNDLE_FILES = ("web/app.js", "web/app.css")
BUILD_COMMAND = "cd frontend && npm ci && npm run build"


def bundle_missing() -> list[str]:
    """The built asset files that static files cannot find (empty when the bundle is built)."""
    return [path for path in BUNDLE_FILES if finders.find(path) is None]


def market_summary(market: Market) -> dict[str, Any]:
    """What a page needs of a market to format and validate, as JSON-ready strings."""
    return {
        "symbol": market.symbol,
        "base": market.base.code,
        "quote": market.quote.code,
        "kind": market.kind,
        "status": market.status,
        "tick_size": format_amount(market.tick_size),
        "step_size": format_amount(market.step_size),
        "min_notional": format_amount(market.min_notional),
        "percent_price_by_side": percent_price_by_side_data(market),
    }


def market_summaries() -> list[dict[str, Any]]:
    """Every market, for the markets table and the symbol pickers."""
    return [market_summary(market) for market in market_list().select_related("base", "quote")]


def market_summary_get(*, symbol: str) -> dict[str, Any] | None:
    """One market's summary, or None when there is no such market."""
    try:
        return market_summary(market_get(symbol=symbol))
    except Market.DoesNotExist:
        return None
