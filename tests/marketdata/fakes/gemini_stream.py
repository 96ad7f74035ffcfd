"""A local Gemini v2 market-data server on 127.0.0.1 (``/v2/marketdata``).

It keeps each connection's subscriptions from ``subscribe``/``unsubscribe`` messages, sends the
configured initial L2 message (the whole book plus recent trades) when a symbol's ``l2`` is
subscribed, and lets a test publish messages to subscribers, send heartbeats or garbage, and drop
connections.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from websockets.asyncio.server import Server, ServerConnection, serve


@dataclass
class GeminiConnection:
    websocket: ServerConnection
    subscriptions: set[tuple[str, str]] = field(default_factory=set)
    requests: list[dict[str, Any]] = field(default_factory=list)


class FakeGeminiServer:
    """``async with FakeGeminiServer() as venue: venue.url`` -> ``ws://127.0.0.1:N``."""

    def __init__(self) -> None:
        self.connections: list[GeminiConnection] = []
        self.initial_books: dict[str, dict[str, Any]] = {}
        self._server: Server | None = None

    @property
    def url(self) -> str:
        assert self._server is not None, "server not started"
        host, port = self._server.sockets[0].getsockname()[:2]
        return f"ws://{host}:{port}"

    @property
    def open_connections(self) -> list[GeminiConnection]:
        return [c for c in self.connections if c.websocket.state.name == "OPEN"]

    async def __aenter__(self) -> FakeGeminiServer:
        self._server = await serve(self._handle, "127.0.0.1", 0)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()

    async def publish(self, feed: str, message: dict[str, Any]) -> int:
        """Send ``message`` to connections subscribed to (feed, message["symbol"])."""
        sent = 0
        for connection in self.open_connections:
            if (feed, message["symbol"]) in connection.subscriptions:
                await connection.websocket.send(json.dumps(message))
                sent += 1
        return sent

    async def send_to_all(self, frame: str) -> None:
        for connection in self.open_connections:
            await connection.websocket.send(frame)

    async def drop_all(self) -> None:
        for connection in self.open_connections:
            connection.websocket.transport.abort()

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
