"""Which candles have outlived ``PAPEREX_KEEP_CANDLES``."""

from __future__ import annotations

from datetime import datetime
from functools import partial

from django.conf import settings
from django.db.models import QuerySet

from paperex.apps.core.retention import PruneRule
from paperex.apps.markets.models import Candle


def expired_candles(interval: str, now: datetime) -> QuerySet[Candle] | None:
    """Candles of ``interval`` that opened longer ago than it is kept for."""
    kept_for = settings.PAPEREX_KEEP_CANDLES.get(interval)
    if kept_for is None:
        return None
    oldest_kept_ms = int((now - kept_for).timestamp() * 1000)
    return Candle.objects.filter(interval=interval, open_time__lt=oldest_kept_ms)


def candle_rules() -> list[PruneRule]:
    return [
        PruneRule(f"candles {interval}", partial(expired_candles, interval))
        for interval in Candle.Interval.values
    ]
