"""Paperex's ASGI application under uvicorn with ``paperex serve``'s options, in the test's own
event loop, so that a test can reach the server's objects (the fan-out hub) directly."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import uvicorn

from paperex.config.asgi import application
from paperex.config.server import uvicorn_options
from tests.support.network import unused_port
from tests.support.waiting import async_wait_until


@asynccontextmanager
async def paperex_server() -> AsyncIterator[int]:
    """The application serving on a free loopback port (without lifespan: no engine, no
    feeds); yields the port and stops the server when the block ends."""
    port = unused_port()
    options = {**uvicorn_options(log_level="warning"), "lifespan": "off"}
    server = uvicorn.Server(uvicorn.Config(application, host="127.0.0.1", port=port, **options))
    serving = asyncio.create_task(server.serve())
    try:
        await async_wait_until(lambda: server.started or serving.done(), what="the server")
        yield port
    finally:
        server.should_exit = True
        await serving
