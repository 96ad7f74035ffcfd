"""The WebSocket API's route, beside the streams' (``config.asgi`` joins them)."""

from django.urls import path

from paperex.apps.binance.ws_api.consumer import WsApiConsumer

websocket_urlpatterns = [
    path("ws-api/v3", WsApiConsumer.as_asgi()),
]
