"""Over Redis, with the engine in a process of its own: what a caller is told while no engine
takes commands, and what becomes of those commands when one does again."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
import redis.asyncio as redis_async
from asgiref.sync import sync_to_async
from rest_framework_simplejwt.tokens import AccessToken

from paperex.apps.markets.services import markets_seed
from paperex.apps.trading.gateway.process import RedisCommandServer
from paperex.apps.trading.host.host import EngineHost
from paperex.apps.trading.models import Order
from paperex.apps.trading.protocol import COMMANDS_KEY
from paperex.config.asgi import application
from paperex.support.async_tasks import cancel_and_wait
from tests.support.trading import register
from tests.support.waiting import async_wait_until

pytestmark = [
    pytest.mark.django_db(transaction=True),
]
ORDER = {"symbol": "BTCUSDT", "side": "BUY", "quantity": "0.1"}


@asynccontextmanager
async def engine_serving(url: str, host: EngineHost) -> AsyncIterator[None]:
    """The host takes commands from Redis while inside."""
    server = RedisCommandServer(url, host)
    serving = asyncio.create_task(server.serve())
    try:
        yield
    finally:
        await cancel_and_wait(serving)
        await server.close()


async def test_while_no_engine_takes_commands_an_order_is_unknown_and_a_cancel_all_accepted(
    settings: Any, redis_url: str
) -> None:
    url = redis_url
    settings.PAPEREX_REDIS_URL = url
    settings.PAPEREX_RUN_ENGINE = False
    settings.PAPEREX_ENGINE_TIMEOUT = 1.0
    commands = redis_async.Redis.from_url(url)
    await commands.delete(COMMANDS_KEY)
    await sync_to_async(markets_seed)()
    alice = await register("alice")  # funded by the offline writer: no host runs yet
    host = EngineHost()
    await asyncio.to_thread(host.start)
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=application),
            base_url="http://testserver",
            headers={"Authorization": f"Bearer {AccessToken.for_user(alice)}"},
        ) as api:
            async with engine_serving(url, host):
                for price in ("100", "101", "102"):
                    placed = await api.post("/api/orders/", json={**ORDER, "price": price})
                    assert placed.status_code == 201, placed.json()

            unknown = await api.post(
                "/api/orders/", json={**ORDER, "price": "103", "client_order_id": "away-1"}
            )
            assert unknown.status_code == 503
            assert (unknown.json()["status"], unknown.json()["client_order_id"]) == (
                "unknown",
                "away-1",
            )
            accepted = await api.post("/api/orders/cancel-all/", json={})
            assert (accepted.status_code, accepted.json()["status"]) == (202, "accepted")

            async with engine_serving(url, host):
                # The cancel-all has no deadline and runs; the order's deadline has passed,
                # so it was dropped, and a retry with its client order id places it.
                await async_wait_until(
                    lambda: Order.objects.filter(user=alice, status="CANCELED").acount(),
                    what="the cancel-all",
                )
                lookup = await api.get("/api/orders/lookup/", params={"client_order_id": "away-1"})
                assert lookup.status_code == 404
                retry = await api.post(
                    "/api/orders/", json={**ORDER, "price": "103", "client_order_id": "away-1"}
                )
                assert retry.status_code == 201, retry.json()
        statuses = [
            status
            async for status in Order.objects.filter(user=alice).values_list("status", flat=True)
        ]
        assert sorted(statuses) == ["CANCELED", "CANCELED", "CANCELED", "NEW"]
    finally:
        await asyncio.to_thread(host.stop)
        await commands.delete(COMMANDS_KEY)
        await commands.aclose()
