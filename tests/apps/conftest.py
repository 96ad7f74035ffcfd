from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.layers import channel_layers
from rest_framework.test import APIClient

from paperex.apps.accounts.models import User
from paperex.apps.accounts.services import user_register
from paperex.apps.markets.services import markets_seed
from paperex.apps.trading.gateway.gateway import engine_gateway
from paperex.apps.trading.host.host import EngineHost
from paperex.apps.trading.host.publication import ChannelPublisher
from tests.support.trading import PASSWORD


@pytest.fixture(autouse=True)
def fresh_channel_layer() -> Iterator[None]:
    """A channel layer of each test's own: a Redis layer binds its locks to the event loop that
    used it first, and every async test runs in a loop of its own."""
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


@pytest.fixture(autouse=True)
def fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def market_data(transactional_db: None) -> None:
    markets_seed()


@pytest.fixture
def engine_host(market_data: None) -> Iterator[EngineHost]:
    """A running host on the test database, used by this process's API."""
    host = EngineHost()
    host.start()
    engine_gateway.attach(host)
    yield host
    engine_gateway.attach(None)
    host.stop()


@pytest.fixture
def make_trader(market_data: None) -> Callable[[str], tuple[User, APIClient]]:
    """A registered user with the starting balances and an API client with its JWT."""

    def make(username: str) -> tuple[User, APIClient]:
        user = user_register(username=username, password=PASSWORD)
        client = APIClient()
        tokens = client.post("/api/token/", {"username": username, "password": PASSWORD})
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens.json()['access']}")
        return user, client

    return make


@pytest.fixture
async def host() -> AsyncIterator[EngineHost]:
    """A running host in this test's event loop, publishing to the channel layer after commit."""
    await sync_to_async(markets_seed)()
    publisher = ChannelPublisher(asyncio.get_running_loop())
    publisher.start()
    engine_host = EngineHost(publish=publisher.publish)
    await asyncio.to_thread(engine_host.start)
    engine_gateway.attach(engine_host)
    yield engine_host
    engine_gateway.attach(None)
    await asyncio.to_thread(engine_host.stop)
    await publisher.stop()
