"""``paperex engine``'s entry point, run in this process: it serves commands from Redis until a
signal, stops every part it started, and ends with the error of a consumer that failed for good.
(``test_engine_process_crash.py`` runs it as a process of its own.)"""

from __future__ import annotations

import asyncio
import os
import signal
from typing import Any

import pytest
import redis.asyncio as redis_async
from asgiref.sync import sync_to_async

from paperex.apps.accounts.services import user_register
from paperex.apps.apikeys.services import apikey_create, apikey_revoke
from paperex.apps.marketdata.runtime import runtime
from paperex.apps.markets.services import markets_seed
from paperex.apps.trading.gateway import process
from paperex.apps.trading.gateway.process import _serve_engine, run_engine_process
from paperex.apps.trading.gateway.redis_client import RedisEngineClient
from paperex.apps.trading.protocol import COMMANDS_KEY, Heartbeat
from paperex.domain import Side
from paperex.domain.commands import PlaceOrder
from paperex.marketdata.bus import LocalBus
from tests.apps.trading.host.test_group_commit import limit
from tests.support.trading import PASSWORD
from tests.support.waiting import async_wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def test_without_redis_the_engine_process_says_what_it_needs(settings: Any) -> None:
    settings.PAPEREX_REDIS_URL = ""
    with pytest.raises(SystemExit, match="paperex engine needs REDIS_URL"):
        run_engine_process()


@pytest.fixture
async def engine_settings(settings: Any, redis_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    settings.PAPEREX_REDIS_URL = redis_url
    settings.PAPEREX_RUN_ENGINE = False
    monkeypatch.setattr(runtime, "bus", LocalBus())
    commands = redis_async.Redis.from_url(redis_url)
    await commands.delete(COMMANDS_KEY)
    await commands.aclose()
    await sync_to_async(markets_seed)()
    return redis_url


async def test_the_engine_serves_commands_until_sigterm_and_stops_what_it_started(
    engine_settings: str, capsys: pytest.CaptureFixture[str]
) -> None:
    engine = asyncio.create_task(_serve_engine(engine_settings, 16))
    await async_wait_until(lambda: "engine ready" in capsys.readouterr().out, what="ready")
    assert runtime.running
    reply = await RedisEngineClient(engine_settings).execute(Heartbeat(), timeout=5)
    assert reply.error is None

    os.kill(os.getpid(), signal.SIGTERM)
    await asyncio.wait_for(engine, timeout=10)
    assert not runtime.running
    assert not {task.get_name() for task in asyncio.all_tasks()} & {
        "engine-commands",
        "engine-stop-signal",
        "engine-reference-feed",
        "engine-publisher",
    }


async def test_a_command_consumer_that_fails_for_good_ends_the_engine_with_its_error(
    engine_settings: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(self: Any) -> None:
        raise RuntimeError("the consumer cannot go on")

    monkeypatch.setattr(process.RedisCommandServer, "serve", broken)
    with pytest.raises(RuntimeError, match="cannot go on"):
        await asyncio.wait_for(_serve_engine(engine_settings, 16), timeout=10)
    assert not runtime.running


async def test_the_engine_process_runs_a_keyed_order_only_with_an_active_key(
    engine_settings: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """The key's id travels in the envelope and the engine process checks it (as its own host
    does in ``test_key_check.py``)."""
    engine = asyncio.create_task(_serve_engine(engine_settings, 16))
    await async_wait_until(lambda: "engine ready" in capsys.readouterr().out, what="ready")

    def trader_keys() -> tuple[PlaceOrder, int, int]:
        user = user_register(username="alice", password=PASSWORD).pk
        active = apikey_create(user_id=user, label="bot").key.pk
        revoked = apikey_create(user_id=user, label="old").key.pk
        apikey_revoke(user_id=user, api_key_id=revoked)
        return limit(user, Side.BUY, "20000", "0.01"), active, revoked

    order, active, revoked = await sync_to_async(trader_keys)()
    client = RedisEngineClient(engine_settings)
    refused = await client.execute(order, timeout=5, api_key_id=revoked)
    placed = await client.execute(order, timeout=5, api_key_id=active)
    assert (refused.key_refused, refused.orders) == (True, [])
    assert (placed.key_refused, len(placed.orders)) == (False, 1)

    os.kill(os.getpid(), signal.SIGTERM)
    await asyncio.wait_for(engine, timeout=10)
