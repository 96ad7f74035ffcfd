"""Under ``paperex serve``'s options a client that dribbles its request is closed, while others
are served and WebSockets stay open."""

from __future__ import annotations

import asyncio
import json
import time

import httpx
import pytest
from websockets.asyncio.client import connect

from paperex.config.slow_senders import DeadlineHttpToolsProtocol
from tests.support.asgi_server import paperex_server

pytestmark = pytest.mark.django_db(transaction=True)
DEADLINE = 0.5


@pytest.fixture(autouse=True)
def short_deadline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(DeadlineHttpToolsProtocol, "read_seconds", DEADLINE)


async def dribble(port: int, request: bytes, every: float = 0.05) -> int:
    """Sends ``request`` a byte at a time until the server closes the connection; the bytes it
    took (all of them when it never closed)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        for sent in range(len(request)):
            writer.write(request[sent : sent + 1])
            await writer.drain()
            try:
                if await asyncio.wait_for(reader.read(1024), timeout=every) == b"":
                    return sent + 1
            except TimeoutError:
                continue
    except ConnectionError:
        return sent
    finally:
        writer.close()
    return len(request)


HEADERS = (
    b"GET /api/health/live/ HTTP/1.1\r\nHost: x\r\n" + b"X-Padding: " + b"p" * 200 + b"\r\n\r\n"
)


async def test_a_client_dribbling_its_headers_is_closed_before_it_finishes() -> None:
    async with paperex_server() as port:
        taken = await dribble(port, HEADERS)  # 10 s at this pace
    assert taken < len(HEADERS) // 2


async def test_a_client_dribbling_its_body_is_closed_before_it_finishes() -> None:
    body = json.dumps({"username": "slow", "password": "correct-horse-battery" * 10}).encode()
    head = (
        b"POST /api/auth/register/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: %d\r\n\r\n" % len(body)
    )
    async with paperex_server() as port:
        taken = await dribble(port, head + body, every=0.2)
    assert taken < len(head + body)


async def test_a_connection_that_sends_nothing_is_closed() -> None:
    async with paperex_server() as port:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        assert await asyncio.wait_for(reader.read(), timeout=DEADLINE * 10) == b""
        writer.close()


async def test_others_are_served_while_slow_senders_hold_connections() -> None:
    async with paperex_server() as port:
        slow = [asyncio.create_task(dribble(port, HEADERS)) for _ in range(20)]
        async with httpx.AsyncClient() as client:
            answer = await client.get(f"http://127.0.0.1:{port}/api/health/live/")
        taken = await asyncio.gather(*slow)
    assert answer.status_code == 200
    assert all(count < len(HEADERS) for count in taken)


async def test_a_websocket_is_not_timed_like_a_request(seeded: None) -> None:
    async with paperex_server() as port, connect(f"ws://127.0.0.1:{port}/stream/") as socket:
        opened = time.monotonic()
        while time.monotonic() - opened < DEADLINE * 3:  # well past a request's deadline
            await socket.send(json.dumps({"action": "list"}))
            assert json.loads(await socket.recv()) == {"action": "list", "result": []}
            await asyncio.sleep(DEADLINE / 2)
