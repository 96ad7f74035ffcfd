"""Under ``paperex serve``'s uvicorn options a socket's frames take the direct path.

The direct path reaches into uvicorn's protocol object and unwraps Channels' session wrapper
(``consumers.base.server_send``, ``fanout.socket_writer.socket_protocol``); an upgrade of either
could turn it off without an error, the fallback being correct but slower. This fails then.
"""

from __future__ import annotations

import asyncio
import json

import pytest
from websockets.asyncio.client import connect

from paperex.apps.streams.fanout.socket_writer import SocketWriter
from tests.support.asgi_server import paperex_server

pytestmark = pytest.mark.django_db(transaction=True)


async def test_a_stream_socket_under_paperex_serve_is_written_directly(
    socket_writers: list[SocketWriter],
) -> None:
    async with paperex_server() as port, connect(f"ws://127.0.0.1:{port}/stream/") as client:
        await client.send(json.dumps({"action": "list"}))
        reply = json.loads(await asyncio.wait_for(client.recv(), timeout=5))
    assert reply == {"action": "list", "result": []}
    assert len(socket_writers) == 1
    assert socket_writers[0].sent >= 1
