"""Reads of equity: what users' balances are worth now, and the recorded history."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from decimal import Decimal

from paperex.apps.equity.models import EquitySnapshot
from paperex.apps.markets.models import Market
from paperex.apps.trading.models import Balance
from paperex.apps.trading.selectors.portfolio import market_last_price

HISTORY_MAX_POINTS = 10_080
"""The most snapshots one history read returns (a week of minutes), the newest ones."""


def asset_prices() -> dict[int, Decimal]:
    """Asset id -> the value of one unit in cash, for the assets whose value is known.

    Cash is what markets quote in and never trade as a base (USDT, USD); it counts at par, as
    on the portfolio page. Another asset is worth the last price of the first market (by
    symbol) that trades it against cash and has a price.
    """
    markets = list(Market.objects.order_by("symbol"))
    bases = {market.base_id for market in markets}
    prices = {market.quote_id: Decimal(1) for market in markets if market.quote_id not in bases}
    cash = set(prices)
    for market in markets:
        if market.quote_id in cash and market.base_id not in prices:
            price = market_last_price(market)
            if price is not None:
                prices[market.base_id] = price
    return prices


def equities(*, user_ids: Collection[int] | None = None) -> dict[int, Decimal]:
    """User id -> equity now: every balance, free and locked, valued with ``asset_prices``.

    Every user with a balance, or only ``user_ids``. A user holding an asset whose value is
    not known is left out: their equity is unknown, not smaller.
    """
    balances = Balance.objects.all()
    if user_ids is not None:
        balances = balances.filter(user_id__in=user_ids)
    prices = asset_prices()
    totals: dict[int, Decimal] = {}
    unknown: set[int] = set()
    for user_id, asset_id, free, locked in balances.values_list(
        "user_id", "asset_id", "free", "locked"
    ):
        held = free + locked
        totals.setdefault(user_id, Decimal(0))
        if not held:
            continue
        if asset_id not in prices:
            unknown.add(user_id)
            continue
        totals[user_id] += held * prices[asset_id]
    return {user_id: total for user_id, total in totals.items() if user_id not in unknown}


def equity_snapshot_list(*, user_id: int, since: datetime) -> list[EquitySnapshot]:
    """The user's snapshots taken at or after ``since``, oldest first (the newest
    ``HISTORY_MAX_POINTS`` of them)."""
    newest_first = EquitySnapshot.objects.filter(user_id=user_id, taken_at__gte=since).order_by(
        "-taken_at", "-id"
    )[:HISTORY_MAX_POINTS]
    return list(newest_first)[::-1]
