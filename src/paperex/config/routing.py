"""WebSocket routes of every app; the streams arrive with the real-time issue."""

from django.urls import URLPattern

websocket_urlpatterns: list[URLPattern] = []
