"""A socket writer's rules, against a stand-in transport: one write per loop turn with the frames
in order, nothing once either side is closing, and a client whose buffer passes the bound is
given up on once."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import cast

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.protocol import State

from paperex.apps.streams.fanout.frames import Frame
from paperex.apps.streams.fanout.socket_writer import SocketWriter


class Transport:
    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.closing = False
        self.buffered = 0

    def write(self, data: bytes) -> None:
        self.writes.append(data)

    def is_closing(self) -> bool:
        return self.closing

    def get_write_buffer_size(self) -> int:
        return self.buffered


class Client:
    def __init__(self, *, max_buffered_bytes: int = 100) -> None:
        self.transport = Transport()
        self.conn = SimpleNamespace(state=State.OPEN)
        self.overflows = 0
        protocol = SimpleNamespace(transport=self.transport, conn=self.conn)
        self.writer = SocketWriter(
            cast(WebSocketsSansIOProtocol, protocol),
            self.overflowed,
            max_buffered_bytes=max_buffered_bytes,
        )

    async def overflowed(self) -> None:
        self.overflows += 1

    def offer(self, *payloads: bytes) -> None:
        for payload in payloads:
            self.writer.offer(Frame(payload))


async def next_turn() -> None:
    """Let the callbacks scheduled in this turn of the loop run."""
    await asyncio.sleep(0)


async def test_frames_offered_in_a_turn_leave_in_one_write_and_are_counted() -> None:
    client = Client()
    client.offer(b"1", b"22", b"333")
    assert client.transport.writes == []
    await next_turn()
    client.offer(b"4")
    await next_turn()
    assert client.transport.writes == [
        Frame(b"1").wire + Frame(b"22").wire + Frame(b"333").wire,
        Frame(b"4").wire,
    ]
    assert client.writer.sent == 4


async def test_nothing_is_written_once_the_connection_or_its_transport_is_closing() -> None:
    closing_transport, closed_connection = Client(), Client()
    closing_transport.transport.closing = True
    closed_connection.conn.state = State.CLOSING
    for client in (closing_transport, closed_connection):
        client.offer(b"late")
    await next_turn()
    assert closing_transport.transport.writes == closed_connection.transport.writes == []
    assert closing_transport.writer.sent == closed_connection.writer.sent == 0


async def test_a_buffer_past_the_bound_gives_the_client_up_once_and_at_the_bound_does_not() -> None:
    client = Client(max_buffered_bytes=100)
    client.transport.buffered = 100
    client.offer(b"a")
    await next_turn()
    assert (client.writer.overflowed, client.overflows) == (False, 0)
    client.transport.buffered = 101
    client.offer(b"b")
    await next_turn()
    assert client.writer.overflowed
    client.offer(b"c")
    await next_turn()
    assert client.overflows == 1
    assert client.transport.writes == [Frame(b"a").wire, Frame(b"b").wire]


async def test_a_closed_writer_drops_what_waits_and_what_follows() -> None:
    client = Client()
    client.offer(b"a")
    await client.writer.close()
    client.offer(b"b")
    await next_turn()
    assert client.transport.writes == []
