from __future__ import annotations

import asyncio
import os

from paperex.marketdata.bus import LocalBus, RedisBus
from tests.support.market_events import quote, trade


async def test_local_bus_delivers_by_kind_and_symbol() -> None:
    bus = LocalBus()
    everything = bus.subscribe()
    btc_trades = bus.subscribe(kinds={"trade"}, symbols={"BTCUSDT"})
    for event in (trade(), trade(symbol="ETHUSDT"), quote()):
        await bus.publish(event)
    assert [everything.get_nowait() for _ in range(3)] == [
        trade(),
        trade(symbol="ETHUSDT"),
        quote(),
    ]
    assert btc_trades.get_nowait() == trade()
    assert btc_trades.get_nowait() is None


async def test_a_full_subscription_drops_its_oldest_events() -> None:
    bus = LocalBus()
    slow = bus.subscribe(maxsize=2)
    for trade_id in range(5):
        await bus.publish(trade(trade_id=trade_id))
    assert slow.dropped == 3
    assert [slow.get_nowait(), slow.get_nowait()] == [trade(trade_id=3), trade(trade_id=4)]


async def test_a_closed_subscription_receives_nothing() -> None:
    bus = LocalBus()
    subscription = bus.subscribe()
    still_open = bus.subscribe()
    subscription.close()
    await bus.publish(trade())
    assert subscription.get_nowait() is None
    assert still_open.get_nowait() == trade()  # the event was published


async def test_redis_bus_reaches_every_process(redis_url: str) -> None:
    url = redis_url
    channel = f"paperex:test:{os.getpid()}"
    publisher, receiver = RedisBus(url, channel), RedisBus(url, channel)
    await publisher.start()
    await receiver.start()
    try:
        local = publisher.subscribe()
        remote = receiver.subscribe(kinds={"trade"})
        await publisher.publish(quote())
        await publisher.publish(trade())
        assert await asyncio.wait_for(remote.get(), timeout=5) == trade()
        assert await asyncio.wait_for(local.get(), timeout=5) == quote()
        assert await asyncio.wait_for(local.get(), timeout=5) == trade()
    finally:
        await publisher.stop()
        await receiver.stop()
