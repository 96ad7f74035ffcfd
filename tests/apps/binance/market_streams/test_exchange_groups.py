"""The process's reader of the exchange's groups outlives a channel layer that fails (Redis
away): it waits, joins its groups again (a restarted Redis forgot them) and hands on what comes
next; a quiet hour renews the groups before the layer's expiry forgets them."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from paperex.apps.binance.market_streams import exchange_groups as module
from paperex.apps.binance.market_streams.exchange_groups import ExchangeGroupReader
from paperex.config.channel_layer import RedisChannelLayer
from tests.support.waiting import async_wait_until


class FlakyLayer:
    """A channel layer whose ``receive`` fails ``failures`` times, then gives ``messages``."""

    def __init__(self, failures: int, messages: list[dict[str, Any]]) -> None:
        self.failures = failures
        self.messages: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        for message in messages:
            self.messages.put_nowait(message)
        self.joins: list[tuple[str, str]] = []

    async def new_channel(self, prefix: str = "specific") -> str:
        return f"{prefix}.1"

    async def group_add(self, group: str, channel: str) -> None:
        self.joins.append((group, channel))

    async def receive(self, channel: str) -> dict[str, Any]:
        if self.failures:
            self.failures -= 1
            raise ConnectionError("Redis is away")
        return await self.messages.get()


@pytest.fixture
def quick(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(module, "RETRY_SECONDS", 0.01)


def reader_on(layer: FlakyLayer, monkeypatch: pytest.MonkeyPatch) -> ExchangeGroupReader:
    monkeypatch.setattr(module, "get_channel_layer", lambda: layer)
    return ExchangeGroupReader()


@pytest.mark.usefixtures("quick")
async def test_a_failing_layer_is_waited_out_and_the_groups_joined_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    layer = FlakyLayer(failures=3, messages=[{"type": "market.trade", "id": 7}])
    reader = reader_on(layer, monkeypatch)
    handled: list[dict[str, Any]] = []
    await reader.join("market.BTCUSDT.trades", "market.trade", handled.append)
    await async_wait_until(lambda: handled, timeout=5, what="the message after the outage")
    assert handled == [{"type": "market.trade", "id": 7}]
    joined = [group for group, _ in layer.joins]
    assert joined[0] == "market.BTCUSDT.trades"
    assert len(joined) >= 2  # joined again once the layer answered
    assert set(joined) == {"market.BTCUSDT.trades"}


async def test_a_quiet_hour_renews_the_groups(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(module, "REJOIN_SECONDS", 0.01)
    layer = FlakyLayer(failures=0, messages=[])
    reader = reader_on(layer, monkeypatch)
    await reader.join("market.BTCUSDT.book", "market.book", lambda message: None)
    await async_wait_until(lambda: len(layer.joins) >= 3, timeout=5, what="renewed joins")
    assert {group for group, _ in layer.joins} == {"market.BTCUSDT.book"}


class HeldLayer(FlakyLayer):
    """A channel layer whose ``receive`` waits until the test hands it a message."""

    def __init__(self) -> None:
        super().__init__(failures=0, messages=[])
        self.waiting: asyncio.Future[dict[str, Any]] | None = None

    async def receive(self, channel: str) -> dict[str, Any]:
        self.waiting = asyncio.get_running_loop().create_future()
        return await self.waiting


async def test_a_message_that_comes_with_the_cancel_still_ends_the_reader(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Python 3.11's ``wait_for`` returns a message that arrived in the same step as the cancel
    and drops the cancel: the reader must end all the same (a server that stops waits for it)."""
    layer = HeldLayer()
    reader = reader_on(layer, monkeypatch)
    await reader.join("market.BTCUSDT.trades", "market.trade", lambda _message: None)
    await async_wait_until(lambda: layer.waiting is not None, timeout=5, what="the receive")
    assert layer.waiting is not None
    assert reader._task is not None
    layer.waiting.set_result({"type": "market.trade"})
    reader._task.cancel()
    done, _ = await asyncio.wait([reader._task], timeout=5)
    assert done == {reader._task}
    assert reader._task.cancelled()


async def test_the_waiting_reader_holds_back_no_other_channel_of_its_process(
    redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On Redis, one receiver of a process pops for all its channels: a reader that waits for
    hours must not keep a user stream's channel from its messages."""
    layer = RedisChannelLayer(hosts=[redis_url], prefix="paperex-sharing-test")
    monkeypatch.setattr(module, "get_channel_layer", lambda: layer)
    reader = ExchangeGroupReader()
    await reader.join("market.BTCUSDT.trades", "market.trade", lambda _message: None)
    await asyncio.sleep(0.5)  # the reader holds the receive lock, waiting for its groups
    stream = await layer.new_channel()
    try:
        await layer.send(stream, {"type": "user.event"})
        assert await asyncio.wait_for(layer.receive(stream), 3) == {"type": "user.event"}
    finally:
        assert reader._task is not None
        reader._task.cancel()
        await layer.flush()
