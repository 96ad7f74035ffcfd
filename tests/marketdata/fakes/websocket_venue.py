"""What every fake WebSocket venue shares: a server on 127.0.0.1, its connections, and ways for
a test to send anything or cut the network."""

from __future__ import annotations

from types import TracebackType
from typing import Any, Generic, Protocol, Self, TypeVar

from websockets.asyncio.server import Server, ServerConnection, serve


class VenueConnection(Protocol):
    websocket: ServerConnection


ConnectionT = TypeVar("ConnectionT", bound=VenueConnection)


class FakeWebSocketVenue(Generic[ConnectionT]):
    """``async with Venue() as venue: venue.url`` -> ``ws://127.0.0.1:N``; subclasses handle
    the venue's protocol in ``_handle`` and record connections in ``connections``."""

    def __init__(self) -> None:
        self.connections: list[ConnectionT] = []
        self._server: Server | None = None

    @property
    def url(self) -> str:
        assert self._server is not None, "server not started"
        host, port = self._server.sockets[0].getsockname()[:2]
        return f"ws://{host}:{port}"

    @property
    def open_connections(self) -> list[ConnectionT]:
        return [c for c in self.connections if c.websocket.state.name == "OPEN"]

    async def __aenter__(self) -> Self:
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

    async def send_to_all(self, frame: str) -> None:
        """Send one text frame as it is (malformed ones included) to every open connection."""
        for connection in self.open_connections:
            await connection.websocket.send(frame)

    async def drop_all(self) -> None:
        """Cut every connection without a closing handshake, like a network failure."""
        for connection in self.open_connections:
            connection.websocket.transport.abort()

    async def _handle(self, websocket: ServerConnection) -> Any:
        raise NotImplementedError
