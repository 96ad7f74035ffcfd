"""Limits against abuse: requests per address and per user, orders per user, failed logins per
address and per username, WebSocket connections per address (``PAPEREX_RATE_LIMITS``).

Each process counts in memory (``paperex.support.rate_window``), cheap enough for the order
lane. With Redis configured, a task of each serving process (``share_counts_forever``) adds
its counts to Redis every ``SHARE_SECONDS`` and takes back the totals of every process, so a
limit holds across ``serve --workers N`` and several servers, within that delay. It learns
the totals of the windows it counts in at each round, so the cost of a round grows with the
clients active in the last window.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import redis
import redis.asyncio as redis_async
from django.conf import settings
from django.http import HttpRequest
from rest_framework.throttling import BaseThrottle

from paperex.apps.core.errors import ErrorCode, PaperexError
from paperex.apps.core.metrics import limits_hit
from paperex.support.rate_window import Rate, SlidingWindowCounts, WindowKey

logger = logging.getLogger(__name__)

SHARE_SECONDS = 0.1
KEY_PREFIX = "paperex:limits:"

MESSAGES = {
    "address": "Too many requests from your address",
    "user": "Too many requests for your account",
    "orders": "Too many orders for your account",
    "login_address": "Too many failed logins from your address",
    "login_username_burst": "Too many failed logins for this username",
    "login_username": "Too many failed logins for this username",
    "ws_connections": "Too many WebSocket connections from your address",
    "registrations": "Too many accounts created from your address",
    "binance_weight": "Too much request weight used on the Binance-compatible API",
}
"""Every limit's name (the keys of ``PAPEREX_RATE_LIMITS``) and what a client is told."""

counts = SlidingWindowCounts()
"""This process's counts."""


class RateLimitedError(PaperexError):
    """HTTP 429: a limit was reached; ``retry_after`` says when one more would be allowed."""

    status = 429

    def __init__(self, name: str, rate: Rate, retry_after: int) -> None:
        limits_hit.labels(name).inc()
        super().__init__(
            ErrorCode.RATE_LIMITED,
            f"{MESSAGES[name]} (at most {rate.limit} per {rate.seconds} s); "
            f"try again in {retry_after} s.",
            details={"limit": name},
        )
        self.retry_after = retry_after


def rate_of(name: str) -> Rate | None:
    """The limit ``name``'s rate, or None when it is off."""
    rate: Rate | None = settings.PAPEREX_RATE_LIMITS[name]
    return rate


def count_or_refuse(name: str, key: str | int) -> None:
    """Count one event for ``key`` under the limit ``name``; raises RateLimitedError, without
    counting it, when the limit is reached."""
    rate = rate_of(name)
    if rate is not None and (wait := counts.hit(name, str(key), rate)):
        raise RateLimitedError(name, rate, wait)


def refuse_if_reached(name: str, key: str | int) -> None:
    """Raises RateLimitedError when the limit ``name`` is reached for ``key`` (counts nothing:
    the events are counted with ``count_event`` when they happen, as failed logins)."""
    rate = rate_of(name)
    if rate is not None and (wait := counts.wait(name, str(key), rate)):
        raise RateLimitedError(name, rate, wait)


def count_event(name: str, key: str | int) -> None:
    """Count an event that happened for ``key`` under the limit ``name``."""
    rate = rate_of(name)
    if rate is not None:
        counts.add(name, str(key), rate)


def client_address(scope: dict[str, Any]) -> str:
    """The client's address of an ASGI scope (the proxy's, unless the server was told to trust
    its forwarded headers)."""
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


def request_address(request: HttpRequest) -> str:
    """``client_address`` of a Django request."""
    return str(request.META.get("REMOTE_ADDR") or "unknown")


class UserRequestLimit(BaseThrottle):
    """DRF's hook for the per-user request limit; refuses by raising RateLimitedError, so the
    answer is the one error body with ``Retry-After``."""

    def allow_request(self, request: Any, view: Any) -> bool:
        if request.user.is_authenticated:
            count_or_refuse("user", request.user.pk)
        return True


async def share_counts(client: redis_async.Redis) -> None:
    """Add this process's new counts to Redis and learn every process's totals of the windows
    this process counts in."""
    unshared = counts.take_unshared()
    known = [window for window in counts.recent_windows() if window not in unshared]
    if not unshared and not known:
        return
    async with client.pipeline(transaction=False) as pipe:
        for window, (count, seconds) in unshared.items():
            pipe.incrby(_redis_key(window), count)
            pipe.expire(_redis_key(window), 2 * seconds + 1)
        for window in known:
            pipe.get(_redis_key(window))
        results = await pipe.execute()
    totals = [*results[: 2 * len(unshared) : 2], *results[2 * len(unshared) :]]
    for window, total in zip([*unshared, *known], totals, strict=True):
        if total is not None:
            counts.set_others(window, int(total), counts.own_shared(window))


def _redis_key(window: WindowKey) -> str:
    name, key, number = window
    return f"{KEY_PREFIX}{name}:{key}:{number}"


async def share_counts_forever(url: str) -> None:
    """``share_counts`` every ``SHARE_SECONDS`` until cancelled. While Redis is away each
    process goes on with its own counts (logged once per outage)."""
    client = redis_async.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
    away = False
    try:
        while True:
            await asyncio.sleep(SHARE_SECONDS)
            try:
                await share_counts(client)
            except redis.RedisError as error:
                if not away:
                    logger.warning("limits are counted per process while Redis is away: %s", error)
                away = True
            else:
                if away:
                    logger.info("limits are shared through Redis again")
                away = False
    finally:
        await client.aclose()
