"""Frames written straight to uvicorn's transport: the wire format, order, and backpressure."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest
import uvicorn
from websockets.asyncio.client import connect
from websockets.client import ClientProtocol
from websockets.frames import Opcode
from websockets.protocol import State
from websockets.uri import parse_uri

from paperex.apps.streams.fanout.frames import Frame, text_frame
from paperex.apps.streams.fanout.outbound import SLOW_CONSUMER_CLOSE_CODE
from paperex.apps.streams.fanout.socket_writer import SocketWriter, socket_protocol
from tests.support.network import unused_port
from tests.support.waiting import async_wait_until

ASGIApp = Callable[[dict[str, Any], Any, Any], Awaitable[None]]


@pytest.mark.parametrize("size", [0, 1, 125, 126, 65_535, 65_536, 200_000])
def test_a_text_frame_reads_back_as_the_same_message(size: int) -> None:
    payload = b"x" * size
    client = ClientProtocol(parse_uri("ws://127.0.0.1/"), state=State.OPEN, max_size=None)
    client.receive_data(text_frame(payload) + text_frame(b'{"next":1}'))
    frames = client.events_received()
    assert [(f.opcode, f.fin, f.data) for f in frames] == [
        (Opcode.TEXT, True, payload),
        (Opcode.TEXT, True, b'{"next":1}'),
    ]


def test_a_frame_is_encoded_and_framed_once() -> None:
    frame = Frame(b'{"price":1.5}')
    assert frame.wire is frame.wire
    assert frame.text is frame.text
    assert frame.text == '{"price":1.5}'


def test_only_a_connection_without_extensions_is_written_directly() -> None:
    async def send(message: dict[str, Any]) -> None:
        """An ASGI send that is not uvicorn's."""

    assert socket_protocol(send) is None


@asynccontextmanager
async def serving(app: ASGIApp, *, deflate: bool = False) -> AsyncIterator[int]:
    """``app`` under uvicorn's websockets-sansio protocol on a free loopback port."""
    port = unused_port()
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host="127.0.0.1",
            port=port,
            ws="websockets-sansio",
            ws_per_message_deflate=deflate,
            lifespan="off",
            log_level="warning",
        )
    )
    task = asyncio.create_task(server.serve())
    try:
        await async_wait_until(lambda: server.started, what="the server started")
        yield port
    finally:
        server.should_exit = True
        await task


def writer_app(frames: list[Frame], seen: dict[str, Any], *, limit: int) -> ASGIApp:
    """Accepts, offers ``frames`` through a SocketWriter in one go, then waits for the end."""

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        await receive()  # websocket.connect
        await send({"type": "websocket.accept"})
        protocol = socket_protocol(send)
        seen["direct"] = protocol is not None
        if protocol is None:
            await send({"type": "websocket.close", "code": 1000})
            return

        async def close_slow() -> None:
            seen["overflowed"] = True
            await send({"type": "websocket.close", "code": SLOW_CONSUMER_CLOSE_CODE})

        writer = SocketWriter(protocol, close_slow, max_buffered_bytes=limit)
        for frame in frames:
            writer.offer(frame)
        while (await receive())["type"] != "websocket.disconnect":
            pass
        seen["sent"] = writer.sent
        await writer.close()

    return app


async def test_frames_offered_in_one_turn_arrive_whole_and_in_order() -> None:
    frames = [Frame(f'{{"n":{n}}}'.encode()) for n in range(500)]
    seen: dict[str, Any] = {}
    async with (
        serving(writer_app(frames, seen, limit=1 << 24)) as port,
        connect(f"ws://127.0.0.1:{port}/", compression=None) as client,
    ):
        received = [await asyncio.wait_for(client.recv(), 5) for _ in frames]
    assert seen["direct"] is True
    assert received == [frame.text for frame in frames]


async def test_a_client_with_compression_is_not_written_directly() -> None:
    seen: dict[str, Any] = {}
    async with (
        serving(writer_app([], seen, limit=1), deflate=True) as port,
        connect(f"ws://127.0.0.1:{port}/") as client,  # offers permessage-deflate
    ):
        await client.wait_closed()
    assert seen["direct"] is False


async def test_a_client_that_does_not_read_is_closed_as_too_slow() -> None:
    big = Frame(b'"' + b"x" * 60_000 + b'"')
    seen: dict[str, Any] = {}
    # 300 frames of 60 kB is more than the loopback socket buffers take, so the transport
    # buffers the rest and the writer gives up on the client.
    async with serving(writer_app([big] * 300, seen, limit=1 << 20)) as port:
        raw = socket.create_connection(("127.0.0.1", port))
        try:
            raw.sendall(
                b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                b"Sec-WebSocket-Version: 13\r\n\r\n"
            )
            await async_wait_until(lambda: seen.get("overflowed"), what="the writer to give up")
        finally:
            raw.close()
    assert seen.get("overflowed") is True
