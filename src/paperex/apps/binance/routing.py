"""Binance's market-stream WebSocket routes: ``/ws``, ``/ws/<stream>[/<stream>...]`` and
``/stream?streams=...`` (without a trailing slash, so Paperex's own ``/stream/`` and
``/ws/<...>/`` routes stay theirs)."""

from django.urls import path, re_path

from paperex.apps.binance.market_streams.consumers import (
    CombinedStreamsConsumer,
    MarketStreamsConsumer,
)

websocket_urlpatterns = [
    path("ws", MarketStreamsConsumer.as_asgi()),
    re_path(r"^ws/(?P<streams>[^/]+(?:/[^/]+)*)$", MarketStreamsConsumer.as_asgi()),
    path("stream", CombinedStreamsConsumer.as_asgi()),
]
