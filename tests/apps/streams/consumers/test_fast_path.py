"""Under ``paperex serve``'s uvicorn options a socket's frames take the direct path.

The direct path reaches into uvicorn's protocol object and unwraps Channels' session wrapper
(``consumers.base.server_send``, ``fanout.socket_writer.socket_protocol``); an upgrade of either
could turn it off without an error, the fallback being correct but slower. This fails then.
"""

from __future__ import annotations

import asyncio
import json
import socket
from typing import Any

import pytest
import uvicorn
from websockets.asyncio.client import connect

from paperex.apps.streams.consumers import base
from paperex.apps.streams.fanout.socket_writer import SocketWriter
from paperex.config.asgi import application
from paperex.config.server import uvicorn_options
from tests.support.waiting import async_wait_until

pytestmark = pytest.mark.django_db(transaction=True)


async def test_a_stream_socket_under_paperex_serve_is_written_directly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    writers: list[SocketWriter] = []

    class RecordedWriter(SocketWriter):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            writers.append(self)

    monkeypatch.setattr(base, "SocketWriter", RecordedWriter)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    options = {**uvicorn_options(log_level="warning"), "lifespan": "off"}
    server = uvicorn.Server(uvicorn.Config(application, host="127.0.0.1", port=port, **options))
    serving = asyncio.create_task(server.serve())
    try:
        await async_wait_until(lambda: server.started)
        async with connect(f"ws://127.0.0.1:{port}/stream/") as client:
            await client.send(json.dumps({"action": "list"}))
            reply = json.loads(await asyncio.wait_for(client.recv(), timeout=5))
        assert reply == {"action": "list", "result": []}
        assert len(writers) == 1
        assert writers[0].sent >= 1
    finally:
        server.should_exit = True
        await serving
