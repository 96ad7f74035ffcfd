from __future__ import annotations

import asyncio

import pytest
from channels.testing import WebsocketCommunicator

from paperex.apps.streams.fanout.frames import Frame
from paperex.apps.streams.fanout.outbound import OutboundQueue
from paperex.config.asgi import application

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize(
    ("origin", "accepted"),
    [(None, True), (b"http://127.0.0.1:8000", True), (b"https://evil.example", False)],
)
async def test_browsers_must_come_from_an_allowed_host(
    seeded: None, origin: bytes | None, accepted: bool
) -> None:
    headers = [(b"origin", origin)] if origin else []
    socket = WebsocketCommunicator(application, "/stream/", headers=headers)
    connected, _ = await socket.connect()
    assert connected is accepted
    await socket.disconnect()


async def test_a_client_that_stops_reading_is_closed_and_the_others_keep_receiving() -> None:
    stuck = asyncio.Event()
    delivered: list[str] = []
    closed: list[str] = []

    async def never_returns(frame: Frame) -> None:
        await stuck.wait()

    async def records(frame: Frame) -> None:
        delivered.append(frame.text)

    async def close_slow() -> None:
        closed.append("slow")

    slow = OutboundQueue(never_returns, close_slow, max_frames=10)
    healthy = OutboundQueue(records, close_slow, max_frames=10)
    for number in range(50):
        frame = Frame(str(number).encode())
        slow.offer(frame)
        healthy.offer(frame)
        await asyncio.sleep(0)  # the healthy writer keeps up
    await asyncio.sleep(0)
    assert closed == ["slow"]
    assert slow.overflowed
    assert delivered == [str(n) for n in range(50)]
    await slow.close()
    await healthy.close()
