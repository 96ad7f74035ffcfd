"""Writes to assets and markets."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from paperex.apps.markets.models import Asset, Market
from paperex.apps.markets.seed import ASSETS, MARKETS, market_symbol


@transaction.atomic
def markets_seed() -> list[Market]:
    """Create or update the default assets and markets; running it again changes nothing."""
    assets = {
        seed.code: Asset.objects.update_or_create(
            code=seed.code,
            defaults={"name": seed.name, "kind": seed.kind, "decimals": seed.decimals},
        )[0]
        for seed in ASSETS
    }
    markets = []
    for seed in MARKETS:
        symbol = market_symbol(seed)
        market, _ = Market.objects.update_or_create(
            symbol=symbol,
            defaults={
                "base": assets[seed.base],
                "quote": assets[seed.quote],
                "kind": seed.kind,
                "tick_size": Decimal(seed.tick_size),
                "step_size": Decimal(seed.step_size),
                "min_notional": Decimal(seed.min_notional),
                "venue": seed.venue,
                "venue_symbol": symbol,
            },
        )
        markets.append(market)
    return markets
