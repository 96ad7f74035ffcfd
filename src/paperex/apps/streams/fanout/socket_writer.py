"""Frames written straight to a uvicorn WebSocket's transport: the fan-out's hot path.

Through ASGI, every frame to every client costs a ``send`` call, a frame built by the
WebSocket library and a write. Here the hub's frame is framed once (``Frame.wire``) and each
socket gets the same bytes; the frames offered to a socket in one turn of the event loop
leave in one write. uvicorn's protocol object keeps owning the connection: the handshake,
pings, reading, and the closing handshake (a frame is never written after the close frame).

This needs uvicorn's ``websockets-sansio`` protocol and a connection without extensions
(``paperex serve`` turns permessage-deflate off, which would compress per connection);
``socket_protocol`` says whether a connection qualifies, else ``OutboundQueue`` is used.

Backpressure: the transport buffers what the kernel does not take; when a client lets more
than ``max_buffered_bytes`` pile up it is too slow and ``on_overflow`` closes it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.protocol import State

from paperex.apps.core.metrics import websocket_frames_dropped, websocket_frames_sent
from paperex.apps.streams.fanout.frames import Frame

DEFAULT_MAX_BUFFERED_BYTES = 1024 * 1024
ASGISend = Callable[[dict[str, Any]], Awaitable[None]]


def socket_protocol(send: ASGISend) -> WebSocketsSansIOProtocol | None:
    """The uvicorn protocol whose ``send`` this is, for an accepted connection, if frames can be
    written to its transport (no extension negotiated), else None."""
    protocol = getattr(send, "__self__", None)
    if not isinstance(protocol, WebSocketsSansIOProtocol) or protocol.conn.extensions:
        return None
    return protocol


class SocketWriter:
    """One connection's frames, written to its transport once per event-loop turn."""

    def __init__(
        self,
        protocol: WebSocketsSansIOProtocol,
        on_overflow: Callable[[], Coroutine[Any, Any, None]],
        *,
        max_buffered_bytes: int = DEFAULT_MAX_BUFFERED_BYTES,
    ) -> None:
        self._protocol = protocol
        self._transport = protocol.transport
        self._on_overflow = on_overflow
        self._max_buffered_bytes = max_buffered_bytes
        self._pending: list[bytes] = []
        self._loop = asyncio.get_running_loop()
        self._closed = False
        self._closing: asyncio.Task[None] | None = None
        self.overflowed = False
        self.sent = 0

    def offer(self, frame: Frame) -> None:
        """Write ``frame`` at the end of this loop turn, after the ones offered before."""
        if self._closed or self.overflowed:
            if self.overflowed:
                websocket_frames_dropped.inc()
            return
        if not self._pending:
            self._loop.call_soon(self._flush)
        self._pending.append(frame.wire)

    async def close(self) -> None:
        """Stop writing; frames not yet written are dropped."""
        self._closed = True
        self._pending.clear()

    def _flush(self) -> None:
        pending, self._pending = self._pending, []
        transport = self._transport
        # Once either side has sent its close frame no data frame may follow.
        if not pending or self._protocol.conn.state is not State.OPEN or transport.is_closing():
            return
        transport.write(pending[0] if len(pending) == 1 else b"".join(pending))
        self.sent += len(pending)
        websocket_frames_sent.add(len(pending))
        if transport.get_write_buffer_size() > self._max_buffered_bytes:
            self.overflowed = True
            self._closing = self._loop.create_task(self._on_overflow())
