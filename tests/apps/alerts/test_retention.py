from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from paperex.apps.accounts.models import User
from paperex.apps.alerts.models import AlertTrigger, PriceAlert
from paperex.apps.core.retention import prune
from paperex.apps.markets.models import Market

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 10, 12, 30, tzinfo=UTC)
OLDEST_KEPT = NOW - timedelta(days=90)
JUST_OUTSIDE = OLDEST_KEPT - timedelta(microseconds=1)


def fired(user: User, at: datetime) -> PriceAlert:
    alert = PriceAlert.objects.create(
        user=user,
        market=Market.objects.get(symbol="BTCUSDT"),
        condition=PriceAlert.Condition.ABOVE,
        price=Decimal(100),
        status=PriceAlert.Status.TRIGGERED,
        triggered_at=at,
    )
    AlertTrigger.objects.create(
        alert=alert,
        user=user,
        symbol="BTCUSDT",
        description="above 100",
        price=Decimal(101),
        message="BTCUSDT rose above 100",
        triggered_at=at,
    )
    return alert


def test_alert_history_older_than_90_days_goes(trader: User) -> None:
    fired(trader, JUST_OUTSIDE)
    kept = fired(trader, OLDEST_KEPT)

    report = {item.name: item.rows for item in prune(now=NOW)}

    assert list(PriceAlert.objects.all()) == [kept]
    assert list(AlertTrigger.objects.values_list("triggered_at", flat=True)) == [OLDEST_KEPT]
    assert report["alert history"] == 1
    assert report["triggered alerts"] == 1


def test_active_alerts_are_kept_however_old(trader: User) -> None:
    active = PriceAlert.objects.create(
        user=trader,
        market=Market.objects.get(symbol="BTCUSDT"),
        condition=PriceAlert.Condition.BELOW,
        price=Decimal(1),
    )
    PriceAlert.objects.filter(pk=active.pk).update(created_at=NOW - timedelta(days=900))

    prune(now=NOW)

    assert list(PriceAlert.objects.all()) == [active]


def test_alert_history_is_kept_for_ever_when_the_setting_is_off(
    trader: User, settings: Any
) -> None:
    settings.PAPEREX_KEEP_ALERT_HISTORY = None
    fired(trader, NOW - timedelta(days=900))

    prune(now=NOW)

    assert (PriceAlert.objects.count(), AlertTrigger.objects.count()) == (1, 1)
