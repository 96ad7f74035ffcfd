"""A local Gemini v2 market-data server on 127.0.0.1 (``/v2/marketdata``).

It keeps each connection's subscriptions from ``subscribe``/``unsubscribe`` messages, sends the
configured initial L2 message (the whole book plus recent trades) when a symbol's ``l2`` is
subscribed, and lets a test publish messages to subscribers, send heartbeats or garbage, and drop
connections.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from websockets.asyncio.server import ServerConnection

from tests.marketdata.fakes.websocket_venue import FakeWebSocketVenue


@dataclass
class GeminiConnection:
    websocket: ServerConnection
    subscriptions: set[tuple[str, str]] = field(default_factory=set)
    requests: list[dict[str, Any]] = field(default_factory=list)


class FakeGeminiServer(FakeWebSocketVenue[GeminiConnection]):
    """``async with FakeGeminiServer() as venue: venue.url`` -> ``ws://127.0.0.1:N``."""

    def __init__(self) -> None:
        super().__init__()
        self.initial_books: dict[str, dict[str, Any]] = {}

    async def publish(self, feed: str, message: dict[str, Any]) -> int:
        """Send ``message`` to connections subscribed to (feed, message["symbol"])."""
        sent = 0
        for connection in self.open_connections:
            if (feed, message["symbol"]) in connection.subscriptions:
                await connection.websocket.send(json.dumps(message))
                sent += 1
        return sent

    async def _handle(self, websocket: ServerConnection) -> None:
        assert websocket.request is not None
        if websocket.request.path != "/v2/marketdata":
            await websocket.close(code=1008, reason="unknown path")
            return
        connection = GeminiConnection(websocket)
        self.connections.append(connection)
        async for message in websocket:
            request = json.loads(message)
            connection.requests.append(request)
            pairs = {
                (item["name"], symbol)
                for item in request["subscriptions"]
                for symbol in item["symbols"]
            }
            if request["type"] == "subscribe":
                fresh = pairs - connection.subscriptions
                connection.subscriptions |= pairs
                for feed, symbol in sorted(fresh):
                    if feed == "l2" and symbol in self.initial_books:
                        await websocket.send(json.dumps(self.initial_books[symbol]))
            elif request["type"] == "unsubscribe":
                connection.subscriptions -= pairs
