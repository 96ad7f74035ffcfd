"""Reads for price alerts."""

from __future__ import annotations

from django.db.models import QuerySet

from paperex.apps.alerts.conditions import AlertRule
from paperex.apps.alerts.models import AlertTrigger, PriceAlert


def alert_list(*, user_id: int, status: str | None = None) -> QuerySet[PriceAlert]:
    """The user's alerts, newest first, optionally of one status."""
    alerts = PriceAlert.objects.filter(user_id=user_id).select_related("market")
    if status:
        alerts = alerts.filter(status=status)
    return alerts


def alert_get(*, user_id: int, alert_id: int) -> PriceAlert:
    """One of the user's alerts; raises PriceAlert.DoesNotExist."""
    return alert_list(user_id=user_id).get(id=alert_id)


def alert_trigger_list(*, user_id: int) -> QuerySet[AlertTrigger]:
    """The user's alert history, newest first."""
    return AlertTrigger.objects.filter(user_id=user_id)


def active_alert_rules() -> list[AlertRule]:
    """Every active alert of every user, as the evaluator's rules."""
    return [
        AlertRule(
            alert_id=alert.id,
            user_id=alert.user_id,
            symbol=alert.market.symbol,
            condition=alert.condition,
            price=alert.price,
            percent=alert.percent,
            window_minutes=alert.window_minutes,
        )
        for alert in PriceAlert.objects.filter(status=PriceAlert.Status.ACTIVE).select_related(
            "market"
        )
    ]
