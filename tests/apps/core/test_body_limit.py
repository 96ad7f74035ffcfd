"""Bodies over the size limit get 413 under the real server, before the server reads them."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest

from tests.support.asgi_server import paperex_server

pytestmark = pytest.mark.django_db(transaction=True)
LIMIT = 1000


def assert_refused(answer: bytes) -> None:
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413 ")
    assert json.loads(body)["code"] == "payload_too_large"


@pytest.fixture
def small_limit(settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = LIMIT


async def test_a_declared_length_over_the_limit_is_refused_before_the_body_is_sent(
    small_limit: None,
) -> None:
    async with paperex_server() as port:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(
            b"POST /api/orders/ HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer any\r\n"
            b"Content-Type: application/json\r\nContent-Length: 200000000\r\n\r\n{"
        )
        await writer.drain()
        answer = await asyncio.wait_for(reader.read(), timeout=10)  # closed by the server
        writer.close()
    assert_refused(answer)


async def test_a_chunked_body_is_refused_once_it_passes_the_limit(small_limit: None) -> None:
    chunk = b" " * (LIMIT // 4)
    async with paperex_server() as port:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(
            b"POST /api/auth/register/ HTTP/1.1\r\nHost: x\r\n"
            b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        )
        for _ in range(5):  # past the limit, and never the last chunk
            writer.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        await writer.drain()
        answer = await asyncio.wait_for(reader.read(), timeout=10)
        writer.close()
    assert_refused(answer)


async def test_a_body_within_the_limit_is_served(small_limit: None, seeded: None) -> None:
    account = {"username": "within", "password": "correct-horse-battery"}
    async with paperex_server() as port, httpx.AsyncClient() as client:
        answer = await client.post(f"http://127.0.0.1:{port}/api/auth/register/", json=account)
    assert answer.status_code == 201
