"""A connection's outbound queue: frames go out in order, and a client that lets more than its
bound wait is given up on once, with nothing queued sent afterwards."""

from __future__ import annotations

import asyncio

from paperex.apps.streams.fanout.frames import Frame
from paperex.apps.streams.fanout.outbound import OutboundQueue
from tests.support.waiting import async_wait_until


class Client:
    """A socket whose reads wait until ``reading`` is set."""

    def __init__(self) -> None:
        self.reading = asyncio.Event()
        self.received: list[bytes] = []
        self.overflows = 0

    async def send(self, frame: Frame) -> None:
        await self.reading.wait()
        self.received.append(frame.payload)

    async def overflowed(self) -> None:
        self.overflows += 1


def frames(*payloads: str) -> list[Frame]:
    return [Frame(payload.encode()) for payload in payloads]


async def test_frames_go_out_in_offer_order_and_are_counted() -> None:
    client = Client()
    client.reading.set()
    queue = OutboundQueue(client.send, client.overflowed, max_frames=3)
    for frame in frames("a", "b", "c"):
        queue.offer(frame)
    await async_wait_until(lambda: queue.sent == 3)
    for frame in frames("d"):
        queue.offer(frame)
    await async_wait_until(lambda: queue.sent == 4)
    assert client.received == [b"a", b"b", b"c", b"d"]
    assert (queue.overflowed, client.overflows) == (False, 0)
    await queue.close()


async def test_a_full_queue_is_given_up_once_and_drops_what_waits_and_what_follows() -> None:
    client = Client()
    queue = OutboundQueue(client.send, client.overflowed, max_frames=2)
    for frame in frames("a", "b"):
        queue.offer(frame)
    assert not queue.overflowed  # exactly the bound may wait
    queue.offer(Frame(b"c"))
    assert queue.overflowed
    queue.offer(Frame(b"d"))
    await async_wait_until(lambda: client.overflows == 1)
    client.reading.set()
    await asyncio.wait_for(queue.close(), timeout=5)
    assert client.received == []
    assert (queue.sent, client.overflows) == (0, 1)


async def test_a_closed_queue_sends_nothing_more() -> None:
    client = Client()
    client.reading.set()
    queue = OutboundQueue(client.send, client.overflowed)
    queue.offer(Frame(b"a"))
    await async_wait_until(lambda: queue.sent == 1)
    await queue.close()
    queue.offer(Frame(b"b"))
    await asyncio.sleep(0)  # a turn in which a live writer would send
    assert client.received == [b"a"]
