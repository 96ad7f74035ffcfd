from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from channels.testing import WebsocketCommunicator

from paperex.config.asgi import application


@pytest.fixture
async def socket(seeded: None) -> AsyncIterator[WebsocketCommunicator]:
    """A connected ``/stream/`` socket (the test needs the transactional database)."""
    communicator = WebsocketCommunicator(application, "/stream/")
    connected, _ = await communicator.connect()
    assert connected
    yield communicator
    await communicator.disconnect()
