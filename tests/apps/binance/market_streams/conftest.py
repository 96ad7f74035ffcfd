from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator

import pytest
from channels.testing import WebsocketCommunicator

from paperex.apps.streams.fanout.hub import FanoutHub, hub
from paperex.config.asgi import application

Connect = Callable[[str], Awaitable[WebsocketCommunicator]]


@pytest.fixture(autouse=True)
def fresh_hub() -> Iterator[FanoutHub]:
    """Each test starts with no subscriptions."""
    hub.clear()
    yield hub
    hub.clear()


@pytest.fixture
async def connect() -> AsyncIterator[Connect]:
    """Opens sockets on a path of the real ASGI application; closes them after the test."""
    opened: list[WebsocketCommunicator] = []

    async def open_socket(path: str) -> WebsocketCommunicator:
        communicator = WebsocketCommunicator(application, path)
        connected, _ = await communicator.connect()
        assert connected
        opened.append(communicator)
        return communicator

    yield open_socket
    for communicator in opened:
        await communicator.disconnect()
