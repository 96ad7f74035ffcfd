"""The baseline of ``bench/fanout.py``: the straightforward Channels design.

One ``AsyncJsonWebsocketConsumer`` per client; a subscription joins a channel-layer group
(channels_redis); the publisher calls ``group_send`` once per event and every consumer encodes
the event to JSON itself. Same subscribe request and acknowledgement as ``WS /stream/``.

Run with uvicorn: ``uvicorn fanout_baseline_app:application --app-dir bench --lifespan off``,
with ``BENCH_REDIS_URL`` naming the Redis to use. Bench-only code.
"""

from __future__ import annotations

import os
from typing import Any

import django
from django.conf import settings

GROUP_PREFIX = "paperex-bench-baseline"


def channel_layer_config(redis_url: str) -> dict[str, Any]:
    return {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            # Enough connections for 500 clients subscribing at once per worker (redis-py's
            # asyncio pool refuses the 101st by default).
            "CONFIG": {
                "hosts": [{"address": redis_url, "max_connections": 1000}],
                "prefix": GROUP_PREFIX,
            },
        }
    }


def group_name(symbol: str, stream: str) -> str:
    return f"{symbol}.{stream}"


if not settings.configured:
    settings.configure(
        DEBUG=False,
        SECRET_KEY="bench-only",
        INSTALLED_APPS=["channels"],
        CHANNEL_LAYERS=channel_layer_config(
            os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
        ),
    )
    django.setup()

from channels.generic.websocket import AsyncJsonWebsocketConsumer  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.urls import path  # noqa: E402


class BaselineStreamConsumer(AsyncJsonWebsocketConsumer):  # type: ignore[misc]
    async def connect(self) -> None:
        self.joined: set[str] = set()
        await self.accept()

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        pair, stream = content.get("pair"), content.get("stream")
        group = group_name(str(pair), str(stream))
        await self.channel_layer.group_add(group, self.channel_name)
        self.joined.add(group)
        await self.send_json(
            {"action": "subscribe", "subscription": f"{pair}-{stream}", "result": True}
        )

    async def market_event(self, message: dict[str, Any]) -> None:
        await self.send_json(message["frame"])

    async def disconnect(self, code: int) -> None:
        for group in getattr(self, "joined", ()):
            await self.channel_layer.group_discard(group, self.channel_name)


application = ProtocolTypeRouter(
    {"websocket": URLRouter([path("stream/", BaselineStreamConsumer.as_asgi())])}
)
