"""Which fired alerts have outlived ``PAPEREX_KEEP_ALERT_HISTORY`` (active ones never do)."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db.models import QuerySet

from paperex.apps.alerts.models import AlertTrigger, PriceAlert
from paperex.apps.core.retention import PruneRule


def _oldest_kept(now: datetime) -> datetime | None:
    kept_for = settings.PAPEREX_KEEP_ALERT_HISTORY
    return None if kept_for is None else now - kept_for


def expired_triggers(now: datetime) -> QuerySet[AlertTrigger] | None:
    oldest = _oldest_kept(now)
    return None if oldest is None else AlertTrigger.objects.filter(triggered_at__lt=oldest)


def expired_triggered_alerts(now: datetime) -> QuerySet[PriceAlert] | None:
    """Alerts that fired before the oldest kept moment (an active alert has not fired)."""
    oldest = _oldest_kept(now)
    return None if oldest is None else PriceAlert.objects.filter(triggered_at__lt=oldest)


def alert_rules() -> list[PruneRule]:
    return [
        PruneRule("alert history", expired_triggers),
        PruneRule("triggered alerts", expired_triggered_alerts),
    ]
