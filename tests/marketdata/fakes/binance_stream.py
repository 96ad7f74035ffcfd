"""A local Binance market-stream server speaking the real protocol on 127.0.0.1.

It serves ``/stream?streams=a/b`` (combined frames) and ``/ws/<stream>`` (raw frames), answers
``SUBSCRIBE``/``UNSUBSCRIBE``/``LIST_SUBSCRIPTIONS`` with ``{"result", "id"}`` and bad requests
with ``{"code", "msg", "id"}`` like the venue, and lets a test publish frames, send anything, and
drop connections.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from websockets.asyncio.server import ServerConnection

from tests.marketdata.fakes.websocket_venue import FakeWebSocketVenue


@dataclass
class StreamConnection:
    """One client connection as the fake venue sees it."""

    websocket: ServerConnection
    path: str
    streams: list[str]
    combined: bool
    requests: list[dict[str, Any]] = field(default_factory=list)


class FakeBinanceStreamServer(FakeWebSocketVenue[StreamConnection]):
    """``async with FakeBinanceStreamServer() as venue: venue.url`` -> ``ws://127.0.0.1:N``."""

    def __init__(self, *, reply_to_requests: bool = True) -> None:
        super().__init__()
        self.reply_to_requests = reply_to_requests
        self.rejected_streams: set[str] = set()

    async def publish(self, stream: str, data: dict[str, Any] | list[Any]) -> int:
        """Send ``data`` on ``stream`` to every subscriber; returns how many got it."""
        sent = 0
        for connection in self.open_connections:
            if stream in connection.streams:
                body = json.dumps(data, separators=(",", ":"))
                frame = f'{{"stream":"{stream}","data":{body}}}' if connection.combined else body
                await connection.websocket.send(frame)
                sent += 1
        return sent

    async def _handle(self, websocket: ServerConnection) -> None:
        assert websocket.request is not None
        target = urlsplit(websocket.request.path)
        if target.path == "/stream":
            names = parse_qs(target.query).get("streams", [""])[0]
            connection = StreamConnection(websocket, target.path, [], combined=True)
            connection.streams = [name for name in names.split("/") if name]
        elif target.path.startswith("/ws"):
            raw = target.path.removeprefix("/ws").strip("/")
            connection = StreamConnection(websocket, target.path, [raw] if raw else [], False)
        else:
            await websocket.close(code=1008, reason="unknown path")
            return
        self.connections.append(connection)
        async for message in websocket:
            await self._answer(connection, message)

    async def _answer(self, connection: StreamConnection, message: str | bytes) -> None:
        try:
            request = json.loads(message)
        except ValueError:
            await connection.websocket.send(json.dumps({"code": 3, "msg": "Invalid JSON"}))
            return
        connection.requests.append(request)
        if not self.reply_to_requests:
            return
        request_id = request.get("id")
        method = request.get("method")
        params = request.get("params", [])
        bad = [name for name in params if name in self.rejected_streams or name != name.strip()]
        if bad or method not in {"SUBSCRIBE", "UNSUBSCRIBE", "LIST_SUBSCRIPTIONS"}:
            error = {"code": 2, "msg": f"Invalid request: {bad or method}", "id": request_id}
            await connection.websocket.send(json.dumps(error))
            return
        result: list[str] | None = None
        if method == "SUBSCRIBE":
            connection.streams += [name for name in params if name not in connection.streams]
        elif method == "UNSUBSCRIBE":
            connection.streams = [name for name in connection.streams if name not in params]
        else:
            result = list(connection.streams)
        await connection.websocket.send(json.dumps({"result": result, "id": request_id}))
