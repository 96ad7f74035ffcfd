"""Binance's WebSocket routes: the market streams ``/ws``, ``/ws/<stream>[/<stream>...]`` and
``/stream?streams=...`` (without a trailing slash, so Paperex's own ``/stream/`` and
``/ws/<...>/`` routes stay theirs), and the WebSocket API ``/ws-api/v3``."""

from django.urls import path, re_path

from paperex.apps.binance.market_streams.consumers import (
    CombinedStreamsConsumer,
    MarketStreamsConsumer,
)
from paperex.apps.binance.ws_api.consumer import WsApiConsumer

websocket_urlpatterns = [
    path("ws", MarketStreamsConsumer.as_asgi()),
    re_path(r"^ws/(?P<streams>[^/]+(?:/[^/]+)*)$", MarketStreamsConsumer.as_asgi()),
    path("stream", CombinedStreamsConsumer.as_asgi()),
    path("ws-api/v3", WsApiConsumer.as_asgi()),
]
