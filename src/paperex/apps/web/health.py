"""Whether this server can serve trading now: what ``/api/health/`` (readiness) reports.

Ready means: the database answers, the channel layer carries a message, the engine answered a
heartbeat sent the orders' way and, where market data is expected, holds the reference market of
every paper market, and every trading market can be shown whole (a 24 h ticker and a book in
sync, or a quote for stocks) with its book and trades arriving. Each component says why it is
down. On PostgreSQL the report also names the process leading each singleton role.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import connection

from paperex.apps.core.leadership import leaders
from paperex.apps.core.reachability import database_problem
from paperex.apps.marketdata.runtime import runtime
from paperex.apps.markets.models import Market
from paperex.apps.trading.gateway.gateway import engine_gateway
from paperex.apps.trading.protocol import EngineUnavailableError


@dataclass(frozen=True)
class ComponentStatus:
    ok: bool
    detail: dict[str, Any]

    @classmethod
    def of(cls, problem: str | None, **detail: Any) -> ComponentStatus:
        """Up when there is no ``problem``; down with it as the error otherwise."""
        return cls(True, detail) if problem is None else cls(False, {**detail, "error": problem})


def database_status() -> ComponentStatus:
    return ComponentStatus.of(database_problem(), vendor=connection.vendor)


async def _channel_layer_round_trip() -> dict[str, Any]:
    layer = get_channel_layer()
    if layer is None:
        raise RuntimeError("no channel layer configured")
    channel = await layer.new_channel()  # the default prefix: see ``config.channel_layer``
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


def engine_status() -> ComponentStatus:
    """Down when the engine does not answer, or, while market data is expected, when a paper
    market still waits for its reference market (it would refuse taking orders)."""
    timeout = float(settings.PAPEREX_HEALTH_CHECK_SECONDS)
    try:
        waiting = engine_gateway.heartbeat(timeout=timeout).markets_not_ready
    except EngineUnavailableError as error:
        return ComponentStatus.of(error.message)
    if not waiting:
        return ComponentStatus(True, {})
    if not runtime.market_data_expected:
        return ComponentStatus(True, {"markets_not_ready": waiting})
    problem = f"{len(waiting)} market(s) wait for their reference market: " + ", ".join(waiting)
    return ComponentStatus.of(problem, markets_not_ready=waiting)


def _trading_symbols() -> list[str]:
    return list(
        Market.objects.filter(status=Market.Status.TRADING).values_list("symbol", flat=True)
    )


def feed_status() -> ComponentStatus:
    """Market data as this process receives it: stale markets, or none at all, are down."""
    detail = runtime.feed_status()
    if not runtime.market_data_expected:
        return ComponentStatus(True, {**detail, "expected": False})
    if not runtime.state.symbols:
        return ComponentStatus.of("no market data has arrived", **detail)
    not_ready = runtime.state.markets_not_ready(_trading_symbols())
    if not_ready:
        problem = f"{len(not_ready)} market(s) not ready: " + ", ".join(
            f"{symbol} ({why})" for symbol, why in sorted(not_ready.items())
        )
        return ComponentStatus.of(problem, **detail, not_ready=not_ready)
    max_age = int(settings.PAPEREX_FEED_STALE_SECONDS * 1000)
    stale = runtime.state.stale_markets(max_age=max_age)
    if stale:
        problem = f"{len(stale)} market(s) stopped updating: " + ", ".join(sorted(stale))
        return ComponentStatus.of(problem, **detail, stale=stale)
    return ComponentStatus(True, detail)


def health_report() -> tuple[bool, dict[str, Any]]:
    """Whether the service is ready, and the status of each component."""
    components = {
        "database": database_status(),
        "channel_layer": channel_layer_status(),
        "engine": engine_status(),
        "feed": feed_status(),
    }
    down = [name for name, component in components.items() if not component.ok]
    report: dict[str, Any] = {
        "status": "unavailable" if down else "ok",
        "down": down,
        "components": {name: {"ok": c.ok, **c.detail} for name, c in components.items()},
    }
    if "database" not in down:
        report["leaders"] = leaders()
    return not down, report
