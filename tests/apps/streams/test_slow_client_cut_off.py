"""End to end through the fan-out hub, on real sockets and with the embedded defaults (no
Redis): a client that stops reading is closed as too slow once its socket's outgoing buffer
passes the limit, nothing more is written to it, and the other subscribers miss nothing."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from paperex.apps.streams.fanout.frames import Frame
from paperex.apps.streams.fanout.hub import hub, market_topic
from paperex.apps.streams.fanout.outbound import SLOW_CONSUMER_CLOSE_CODE
from paperex.apps.streams.fanout.socket_writer import SocketWriter
from tests.support.asgi_server import paperex_server
from tests.support.waiting import async_wait_until

pytestmark = pytest.mark.django_db(transaction=True)
TOPIC = market_topic("BTCUSDT", "trade")
FRAME = Frame(json.dumps({"event": "trade", "padding": "x" * 16_000}).encode())
FRAMES_PER_TURN = 16
MAX_BYTES = 32 * 1024 * 1024
"""When this much was published to a client that never reads, the kernel's buffers and the
server's limit (1 MiB) are long full: a server still writing to it by then never cuts it off."""
CLOSE_SECONDS = 5
AFTER_THE_CUT = 64
"""Frames published once the slow client was cut off, for the others to receive."""


async def subscribed(port: int, *, receive_buffer: int | None = None) -> ClientConnection:
    """A /stream/ client subscribed to TOPIC, its answer read; ``receive_buffer`` shrinks the
    kernel's receive buffer (the socket's SO_RCVBUF) so that an unread socket fills early."""
    raw = socket.socket()
    if receive_buffer is not None:
        raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
    raw.setblocking(False)
    await asyncio.get_running_loop().sock_connect(raw, ("127.0.0.1", port))
    # max_queue=1: a client that does not call recv() stops reading its socket at once.
    client = await connect(f"ws://127.0.0.1:{port}/stream/", sock=raw, max_queue=1, close_timeout=1)
    await client.send(json.dumps({"action": "subscribe", "pair": "BTCUSDT", "stream": "trade"}))
    answer = json.loads(await asyncio.wait_for(client.recv(), 5))
    assert answer["result"] is True, answer
    return client


async def count_frames(client: ClientConnection, counts: dict[str, int], name: str) -> None:
    """Read ``client`` until it closes, counting the frames as they arrive."""
    with contextlib.suppress(ConnectionClosed):  # closed with another code than 1000/1001
        async for _ in client:
            counts[name] = counts.get(name, 0) + 1


async def test_a_client_that_stops_reading_is_cut_off_and_the_others_miss_nothing(
    seeded: None, socket_writers: list[SocketWriter]
) -> None:
    async with paperex_server() as port:
        slow = await subscribed(port, receive_buffer=4096)
        healthy = await subscribed(port)
        slow_writer, healthy_writer = socket_writers
        counts: dict[str, int] = {}
        reading = asyncio.create_task(count_frames(healthy, counts, "healthy"))
        published = 0
        try:
            while not slow_writer.overflowed and published * len(FRAME.wire) < MAX_BYTES:
                for _ in range(FRAMES_PER_TURN):
                    hub.publish(TOPIC, FRAME)
                published += FRAMES_PER_TURN
                await asyncio.sleep(0)  # the writers' flush, once a turn, as in the server
            assert slow_writer.overflowed, f"still writing to a client {published} frames behind"
            written_to_slow = slow_writer.sent
            for _ in range(AFTER_THE_CUT):
                hub.publish(TOPIC, FRAME)
                published += 1
                await asyncio.sleep(0)
            await async_wait_until(
                lambda: counts.get("healthy") == published, what="every frame to the healthy client"
            )
            assert slow_writer.sent == written_to_slow
            assert healthy_writer.sent == published + 1  # and the subscribe answer
            assert not healthy_writer.overflowed

            # The slow client reads at last: what was written before the cut, then the close.
            try:
                async with asyncio.timeout(CLOSE_SECONDS):
                    await count_frames(slow, counts, "slow")
            except TimeoutError:
                pytest.fail(f"the slow client was not closed within {CLOSE_SECONDS} s")
            assert counts.get("slow", 0) + 1 == written_to_slow
            assert slow.close_code == SLOW_CONSUMER_CLOSE_CODE
        finally:
            reading.cancel()
            await slow.close()
            await healthy.close()
