"""WebSocket routes of every app."""

from paperex.apps.streams.routing import websocket_urlpatterns

__all__ = ["websocket_urlpatterns"]
