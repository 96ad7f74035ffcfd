"""A gateway that runs the host in its own process (the embedded server): started from the
database, following the feed, publishing after commit, stopped in order; and the heartbeat
that the readiness probe sends whichever way commands go."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from concurrent.futures import Future
from typing import Any

import pytest
import redis.asyncio as redis_async
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer

from paperex.apps.accounts.services import user_register
from paperex.apps.core.groups import user_group
from paperex.apps.marketdata.runtime import runtime
from paperex.apps.markets.services import markets_seed
from paperex.apps.trading.gateway import gateway as gateway_module
from paperex.apps.trading.gateway.gateway import EngineGateway
from paperex.apps.trading.gateway.process import RedisCommandServer
from paperex.apps.trading.host.host import EngineHost
from paperex.apps.trading.protocol import COMMANDS_KEY, EngineUnavailableError
from paperex.domain.commands import PlaceOrder
from paperex.marketdata.bus import LocalBus
from paperex.support.async_tasks import cancel_and_wait
from tests.support.market_events import book, trade
from tests.support.network import unused_port
from tests.support.trading import PASSWORD, btc_bid, register
from tests.support.waiting import async_wait_until

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def bus(monkeypatch: pytest.MonkeyPatch) -> LocalBus:
    bus = LocalBus()
    monkeypatch.setattr(runtime, "bus", bus)
    return bus


@pytest.fixture
async def gateway(bus: LocalBus) -> AsyncIterator[EngineGateway]:
    """A gateway with nothing started yet; whatever the test started is stopped after it."""
    await sync_to_async(markets_seed)()
    gateway = EngineGateway()
    yield gateway
    await gateway.stop()


async def bid(user_id: int, price: str = "20000") -> PlaceOrder:
    return await sync_to_async(btc_bid)(user_id, price)


def open_order_ids(host: EngineHost | None) -> set[int]:
    assert host is not None
    assert host.state is not None
    return {order.order_id for order in host.state.engine.open_orders()}


async def test_a_started_gateway_runs_a_host_rebuilt_from_the_database(
    gateway: EngineGateway,
) -> None:
    alice = await register("alice")
    await gateway.start(max_batch=7)
    host = gateway.host
    assert host is not None
    assert host.running
    assert gateway.reachable
    assert host.max_batch == 7
    (placed,) = (await gateway.execute(await bid(alice.pk))).orders

    await gateway.stop()
    assert (gateway.host, gateway.reachable) == (None, False)
    assert not host.running
    with pytest.raises(EngineUnavailableError, match="not running"):
        await gateway.execute(await bid(alice.pk))
    await gateway.stop()  # a second stop finds nothing left to stop

    await gateway.start()
    assert open_order_ids(gateway.host) == {placed.id}


async def test_what_the_host_commits_reaches_the_users_channel(gateway: EngineGateway) -> None:
    alice = await register("alice")
    layer = get_channel_layer()
    channel = await layer.new_channel()
    await layer.group_add(user_group(alice.pk), channel)
    await gateway.start()

    (placed,) = (await gateway.execute(await bid(alice.pk))).orders

    message = await asyncio.wait_for(layer.receive(channel), timeout=5)
    assert (message["type"], message["order"]["id"]) == ("order.update", placed.id)


async def test_the_host_follows_the_feed_from_before_its_restore_until_stopped(
    gateway: EngineGateway, bus: LocalBus
) -> None:
    await gateway.start()
    await bus.publish(book(bids=[("999", "1")], asks=[("1001", "1")]))
    await bus.publish(trade("1000"))

    def last_price() -> int | None:
        host = gateway.host
        assert host is not None
        assert host.state is not None
        return host.state.engine.last_price("BTCUSDT")

    await async_wait_until(lambda: last_price() == 100_000, what="the feed's trade in the engine")
    await gateway.stop()
    assert not {task.get_name() for task in asyncio.all_tasks()} & {
        "engine-reference-feed",
        "engine-publisher",
    }


async def test_a_host_that_stops_for_good_ends_the_process(
    gateway: EngineGateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    hosts: list[dict[str, Any]] = []

    def host_recorded(**options: Any) -> EngineHost:
        hosts.append(options)
        return EngineHost(**options)

    exits: list[bool] = []
    monkeypatch.setattr(gateway_module, "EngineHost", host_recorded)
    monkeypatch.setattr(gateway_module, "exit_requested", lambda: exits.append(True))
    await gateway.start()
    (options,) = hosts
    assert options["reference_feed"] is True
    options["on_failure"](RuntimeError("another engine took the database"))
    assert exits == [True]


def placed_prices(replies: list[Any]) -> list[str]:
    return [reply.orders[0].price for reply in replies]


def test_synchronous_callers_get_each_commands_own_reply_from_a_host_here(
    engine_host: EngineHost, settings: Any
) -> None:
    settings.PAPEREX_REDIS_URL = ""
    user = user_register(username="alice", password=PASSWORD)
    gateway = EngineGateway()
    gateway.attach(engine_host)
    assert placed_prices([gateway.execute_sync(btc_bid(user.pk, "20000"))]) == ["20000"]
    many = gateway.execute_many_sync([btc_bid(user.pk, "20001"), btc_bid(user.pk, "20002")])
    assert placed_prices(many) == ["20001", "20002"]

    stopped = EngineHost()
    gateway.attach(stopped)  # attached but not running: no host to send to
    with pytest.raises(EngineUnavailableError, match="not running"):
        gateway.execute_sync(btc_bid(user.pk, "20003"))


async def test_synchronous_callers_get_each_commands_own_reply_over_redis(
    settings: Any, redis_url: str, gateway: EngineGateway
) -> None:
    settings.PAPEREX_REDIS_URL = redis_url
    settings.PAPEREX_RUN_ENGINE = False
    commands = redis_async.Redis.from_url(redis_url)
    await commands.delete(COMMANDS_KEY)
    await commands.aclose()
    alice = await register("alice")
    host = EngineHost()
    await asyncio.to_thread(host.start)
    server = RedisCommandServer(redis_url, host)
    serving = asyncio.create_task(server.serve())
    try:
        one = await asyncio.to_thread(lambda: gateway.execute_sync(btc_bid(alice.pk, "20000")))
        many = await asyncio.to_thread(
            lambda: gateway.execute_many_sync(
                [btc_bid(alice.pk, "20001"), btc_bid(alice.pk, "20002")]
            )
        )
        assert placed_prices([one, *many]) == ["20000", "20001", "20002"]
    finally:
        await cancel_and_wait(serving)
        await server.close()
        await asyncio.to_thread(host.stop)


class SilentHost:
    """Takes commands and never answers them."""

    running = True

    def submit(self, command: Any, *, timeout: float | None = None, **_: Any) -> Any:
        return Future()


def test_the_heartbeat_of_a_host_in_this_process(engine_host: EngineHost) -> None:
    gateway = EngineGateway()
    gateway.attach(engine_host)
    assert gateway.heartbeat(timeout=5).markets_not_ready == []
    gateway.attach(SilentHost())  # type: ignore[arg-type]
    with pytest.raises(EngineUnavailableError, match=r"did not answer within 0\.05 s"):
        gateway.heartbeat(timeout=0.05)


def test_with_no_host_and_no_redis_the_heartbeat_says_no_engine_runs(settings: Any) -> None:
    settings.PAPEREX_REDIS_URL = ""
    with pytest.raises(EngineUnavailableError, match=r"^the matching engine is not running$"):
        EngineGateway().heartbeat(timeout=1)


async def test_over_redis_the_heartbeat_reaches_the_engine_process_of_the_url_set_now(
    settings: Any, redis_url: str, gateway: EngineGateway
) -> None:
    settings.PAPEREX_REDIS_URL = redis_url
    settings.PAPEREX_RUN_ENGINE = False
    commands = redis_async.Redis.from_url(redis_url)
    await commands.delete(COMMANDS_KEY)
    await commands.aclose()

    async def problem(timeout: float) -> str | None:
        try:
            await sync_to_async(gateway.heartbeat, thread_sensitive=False)(timeout=timeout)
        except EngineUnavailableError as error:
            return error.message
        return None

    assert "no engine answered in time" in str(await problem(0.2))

    host = EngineHost()
    await asyncio.to_thread(host.start)
    server = RedisCommandServer(redis_url, host)
    serving = asyncio.create_task(server.serve())
    try:
        assert await problem(5) is None
        settings.PAPEREX_REDIS_URL = f"redis://127.0.0.1:{unused_port()}/0"
        assert "Redis is away" in str(await problem(1))
    finally:
        await cancel_and_wait(serving)
        await server.close()
        await asyncio.to_thread(host.stop)
