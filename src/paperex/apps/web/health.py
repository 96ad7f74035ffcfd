"""Read-only checks of the running system."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import connection

from paperex.apps.marketdata.runtime import runtime


@dataclass(frozen=True)
class ComponentStatus:
    ok: bool
    detail: dict[str, Any]


def database_status() -> ComponentStatus:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # any driver failure means "down", reported, not raised
        return ComponentStatus(False, {"vendor": connection.vendor, "error": str(error)})
    return ComponentStatus(True, {"vendor": connection.vendor})


async def _channel_layer_round_trip() -> dict[str, Any]:
    layer = get_channel_layer()
    if layer is None:
        raise RuntimeError("no channel layer configured")
    channel = await layer.new_channel("health")
    token = uuid.uuid4().hex
    await layer.send(channel, {"type": "health.ping", "token": token})
    message = await layer.receive(channel)
    if message.get("token") != token:
        raise RuntimeError("channel layer returned a different message")
    return {"backend": type(layer).__name__}


def channel_layer_status() -> ComponentStatus:
    try:
        detail = async_to_sync(_channel_layer_round_trip)()
    except Exception as error:  # unreachable Redis and the like: report, don't raise
        return ComponentStatus(False, {"error": str(error)})
    return ComponentStatus(True, detail)


def feed_status() -> ComponentStatus:
    """Market data in this process: configured feeds, their states, markets with data."""
    return ComponentStatus(True, runtime.feed_status())


def health_report() -> tuple[bool, dict[str, Any]]:
    """Whether the service can serve requests, and the status of each component."""
    components = {
        "database": database_status(),
        "channel_layer": channel_layer_status(),
        "feed": feed_status(),
    }
    healthy = components["database"].ok and components["channel_layer"].ok
    report = {
        "status": "ok" if healthy else "unavailable",
        "components": {name: {"ok": c.ok, **c.detail} for name, c in components.items()},
    }
    return healthy, report
