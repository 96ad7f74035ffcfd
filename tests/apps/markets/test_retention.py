from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from paperex.apps.core.retention import prune
from paperex.apps.markets.models import Candle, Market

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 10, 12, 30, tzinfo=UTC)
NOW_MS = int(NOW.timestamp() * 1000)
DAY_MS = 86_400_000


def candle(interval: str, open_time: int, symbol: str = "BTCUSDT") -> Candle:
    one = Decimal(1)
    return Candle.objects.create(
        market=Market.objects.get(symbol=symbol),
        interval=interval,
        open_time=open_time,
        close_time=open_time + 999,
        open=one,
        high=one,
        low=one,
        close=one,
        volume=one,
        quote_volume=one,
        trade_count=1,
    )


def kept(interval: str) -> list[int]:
    rows = Candle.objects.filter(interval=interval).order_by("open_time")
    return list(rows.values_list("open_time", flat=True))


@pytest.mark.parametrize(("interval", "days"), [("1s", 1), ("1m", 30), ("5m", 90)])
def test_candles_opened_longer_ago_than_their_interval_is_kept_go(
    seeded: None, interval: str, days: int
) -> None:
    oldest_kept = NOW_MS - days * DAY_MS
    for open_time in (oldest_kept - 1, oldest_kept, NOW_MS - 1000):
        candle(interval, open_time)

    [pruned] = [item for item in prune(now=NOW) if item.name == f"candles {interval}"]

    assert pruned.rows == 1
    assert kept(interval) == [oldest_kept, NOW_MS - 1000]


def test_coarser_candles_are_kept_for_ever_by_default(seeded: None) -> None:
    for interval in ("15m", "1h", "4h", "1d"):
        candle(interval, NOW_MS - 3650 * DAY_MS)

    report = {item.name: item.rows for item in prune(now=NOW)}

    assert Candle.objects.count() == 4
    assert report["candles 1d"] is None


def test_a_dry_run_counts_and_deletes_nothing(seeded: None) -> None:
    candle("1s", NOW_MS - 2 * DAY_MS)

    [pruned] = [item for item in prune(dry_run=True, now=NOW) if item.name == "candles 1s"]

    assert pruned.rows == 1
    assert Candle.objects.count() == 1


def test_candles_kept_for_ever_when_the_setting_is_off(seeded: None, settings: Any) -> None:
    settings.PAPEREX_KEEP_CANDLES = {}
    candle("1s", NOW_MS - 400 * DAY_MS)

    prune(now=NOW)

    assert Candle.objects.count() == 1


def test_a_shorter_setting_prunes_more(seeded: None, settings: Any) -> None:
    settings.PAPEREX_KEEP_CANDLES = {"1s": timedelta(minutes=10)}
    candle("1s", NOW_MS - 600_001)
    candle("1s", NOW_MS - 600_000)
    candle("1m", NOW_MS - 400 * DAY_MS)

    prune(now=NOW)

    assert kept("1s") == [NOW_MS - 600_000]
    assert kept("1m") == [NOW_MS - 400 * DAY_MS]
