"""A connection's bounded way out: the hub offers frames and never waits for a client.

Two kinds: ``SocketWriter`` (``socket_writer``) writes the frames' shared wire bytes straight to
the socket under uvicorn; ``OutboundQueue`` here sends them through the ASGI ``send`` of any
other server (and of Channels' test communicator).
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, Protocol

from paperex.apps.core.metrics import websocket_frames_dropped, websocket_frames_sent
from paperex.apps.streams.fanout.frames import Frame
from paperex.support.async_tasks import cancel_and_wait

SLOW_CONSUMER_CLOSE_CODE = 4008
"""WebSocket close code for a client that stopped reading (its queue overflowed)."""
DEFAULT_QUEUE_FRAMES = 1_000


class Outbound(Protocol):
    """What the hub and a consumer need of a connection's way out."""

    overflowed: bool

    def offer(self, frame: Frame) -> None:
        """Send ``frame`` after the ones offered before; never blocks."""

    async def close(self) -> None:
        """Stop sending; frames not yet sent are dropped."""


class OutboundQueue:
    """Frames waiting to be written to one socket, by a writer task of its own.

    ``offer`` never blocks: when ``max_frames`` are already waiting the client is too slow,
    and ``on_overflow`` is called once (it closes the connection); later frames are dropped.
    """

    def __init__(
        self,
        send: Callable[[Frame], Awaitable[None]],
        on_overflow: Callable[[], Coroutine[Any, Any, None]],
        *,
        max_frames: int = DEFAULT_QUEUE_FRAMES,
    ) -> None:
        self._send = send
        self._on_overflow = on_overflow
        self._max_frames = max_frames
        self._frames: deque[Frame] = deque()
        self._ready = asyncio.Event()
        self.overflowed = False
        self.sent = 0
        self._closing: asyncio.Task[None] | None = None
        self._writer = asyncio.create_task(self._write_forever(), name="ws-writer")

    def offer(self, frame: Frame) -> None:
        """Queue a frame for sending, or give up on a client that does not keep up."""
        if self.overflowed:
            websocket_frames_dropped.inc()
            return
        if len(self._frames) >= self._max_frames:
            self.overflowed = True
            websocket_frames_dropped.inc(len(self._frames) + 1)
            self._frames.clear()
            self._closing = asyncio.get_running_loop().create_task(self._on_overflow())
            return
        self._frames.append(frame)
        self._ready.set()

    async def close(self) -> None:
        """Stop writing; frames still queued are dropped."""
        await cancel_and_wait(self._writer)

    async def _write_forever(self) -> None:
        frames = self._frames
        while True:
            await self._ready.wait()
            while frames:
                await self._send(frames.popleft())
                self.sent += 1
                websocket_frames_sent.add(1)
            self._ready.clear()
