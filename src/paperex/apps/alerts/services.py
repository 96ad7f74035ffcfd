"""Writes for price alerts."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction

from paperex.apps.alerts.conditions import describe
from paperex.apps.alerts.models import AlertTrigger, PriceAlert
from paperex.apps.core.amounts import format_amount, iso_z
from paperex.apps.core.errors import ErrorCode, PaperexError
from paperex.apps.core.groups import user_group
from paperex.apps.markets.models import Market

ALERT_MESSAGE_TYPE = "alert.triggered"


class AlertError(PaperexError):
    """An alert condition the service refuses (a 400 naming the ``condition`` field)."""

    def __init__(self, message: str) -> None:
        super().__init__(
            ErrorCode.INVALID, f"condition: {message}", fields={"condition": [message]}
        )


def alert_create(
    *,
    user_id: int,
    market: Market,
    condition: str,
    price: Decimal | None = None,
    percent: Decimal | None = None,
    window_minutes: int | None = None,
) -> PriceAlert:
    """Create an active alert. Raises AlertError when the condition's values are missing."""
    if condition in (PriceAlert.Condition.ABOVE, PriceAlert.Condition.BELOW):
        if price is None or price <= 0:
            raise AlertError(f"A {condition} alert needs a positive price.")
        percent, window_minutes = None, None
    elif condition == PriceAlert.Condition.MOVE:
        if percent is None or percent <= 0 or not window_minutes or window_minutes <= 0:
            raise AlertError("A MOVE alert needs a positive percent and window_minutes.")
        if window_minutes > 60:
            raise AlertError("window_minutes is at most 60.")
        price = None
    else:
        raise AlertError(f"Unknown condition {condition!r}.")
    return PriceAlert.objects.create(
        user_id=user_id,
        market=market,
        condition=condition,
        price=price,
        percent=percent,
        window_minutes=window_minutes,
    )


def alert_delete(*, user_id: int, alert_id: int) -> bool:
    """Delete one of the user's alerts (its history stays); False when there is no such alert."""
    deleted, _ = PriceAlert.objects.filter(user_id=user_id, id=alert_id).delete()
    return deleted > 0


def alert_trigger(
    *, alert_id: int, price: Decimal, message: str, at: datetime
) -> AlertTrigger | None:
    """Mark an active alert triggered and record it in the history, exactly once.

    Several server processes may see the same price and call this for the same alert: the
    conditional update lets one of them through, and the unique trigger row guards the rest.
    Returns the new trigger, or None when the alert was already triggered or deleted.
    """
    try:
        with transaction.atomic():
            updated = PriceAlert.objects.filter(
                id=alert_id, status=PriceAlert.Status.ACTIVE
            ).update(status=PriceAlert.Status.TRIGGERED, triggered_at=at)
            if updated != 1:
                return None
            alert = PriceAlert.objects.select_related("market").get(id=alert_id)
            return AlertTrigger.objects.create(
                alert=alert,
                user_id=alert.user_id,
                symbol=alert.market.symbol,
                description=describe(
                    condition=alert.condition,
                    price=alert.price,
                    percent=alert.percent,
                    window_minutes=alert.window_minutes,
                ),
                price=price,
                message=message,
                triggered_at=at,
            )
    except IntegrityError:
        return None


def alert_notice_record(
    *, user_id: int, symbol: str, description: str, price: Decimal, message: str, at: datetime
) -> AlertTrigger:
    """Put a notice that is no price alert of the user's (a new listing) in their alert history."""
    return AlertTrigger.objects.create(
        alert=None,
        user_id=user_id,
        symbol=symbol,
        description=description,
        price=price,
        message=message,
        triggered_at=at,
    )


async def alert_publish(user_id: int, payload: dict[str, Any]) -> None:
    """Send a trigger's payload to every open user stream of the user as an ``alert`` event."""
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    if layer is not None:
        await layer.group_send(user_group(user_id), {"type": ALERT_MESSAGE_TYPE, "alert": payload})


def trigger_payload(trigger: AlertTrigger) -> dict[str, Any]:
    """The JSON of a trigger (REST history and the {"event": "alert"} frame share it)."""
    return {
        "id": trigger.id,
        "alert_id": trigger.alert_id,
        "symbol": trigger.symbol,
        "description": trigger.description,
        "price": format_amount(trigger.price),
        "message": trigger.message,
        "triggered_at": iso_z(trigger.triggered_at),
    }
