"""Writes to assets and markets."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction

from paperex.apps.markets.models import Asset, Candle, Market
from paperex.apps.markets.seed import ASSETS, MARKETS, market_symbol
from paperex.marketdata.events import Kline


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


CANDLE_VALUE_FIELDS = [
    "close_time",
    "open",
    "high",
    "low",
    "close",
    "volume",
    "quote_volume",
    "trade_count",
    "closed",
]


def candles_upsert(*, market_ids: dict[str, int], klines: Iterable[Kline]) -> int:
    """Insert or update candles in one statement; returns how many were written.

    ``market_ids`` maps symbols to Market primary keys; klines of other symbols are skipped.
    """
    rows = [
        Candle(
            market_id=market_ids[kline.symbol],
            interval=kline.interval,
            open_time=kline.open_time,
            **{field: getattr(kline, field) for field in CANDLE_VALUE_FIELDS},
        )
        for kline in klines
        if kline.symbol in market_ids
    ]
    Candle.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["market", "interval", "open_time"],
        update_fields=CANDLE_VALUE_FIELDS,
    )
    return len(rows)
