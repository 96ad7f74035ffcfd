"""The Binance stream client against a local fake venue on 127.0.0.1."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import TypeVar

import pytest

from paperex.marketdata.binance.client import BinanceRequestError, BinanceStreamClient
from paperex.marketdata.connection import ConnectionOptions
from paperex.marketdata.events import Event, Trade
from paperex.marketdata.feed import FeedState, RawMessage
from paperex.support.backoff import BackoffPolicy
from tests.marketdata.fakes.binance_stream import FakeBinanceStreamServer
from tests.support.waiting import async_wait_until

T = TypeVar("T")

FAST = ConnectionOptions(
    backoff=BackoffPolicy(initial_delay=0.01, maximum_delay=0.05),
    stale_after=5.0,
    request_timeout=2.0,
    open_timeout=2.0,
)


def trade(trade_id: int, price: str = "100.5", symbol: str = "BTCUSDT") -> dict[str, object]:
    return {
        "e": "trade",
        "E": 1_700_000_000_000 + trade_id,
        "s": symbol,
        "t": trade_id,
        "p": price,
        "q": "0.25",
        "T": 1_700_000_000_000 + trade_id,
        "m": False,
        "M": True,
    }


async def next_item(iterator: AsyncIterator[T], timeout: float = 3.0) -> T:
    async with asyncio.timeout(timeout):
        return await anext(iterator)


@pytest.fixture
async def venue() -> AsyncIterator[FakeBinanceStreamServer]:
    async with FakeBinanceStreamServer() as server:
        yield server


async def until_connected(client: BinanceStreamClient, venue: FakeBinanceStreamServer) -> None:
    await async_wait_until(
        lambda: client.status.state is FeedState.CONNECTED and len(venue.open_connections) == 1,
        what="a connection",
    )


def client_for(
    venue: FakeBinanceStreamServer, *streams: str, stale_after: float = FAST.stale_after
) -> BinanceStreamClient:
    settings = dataclasses.replace(FAST, stale_after=stale_after)
    return BinanceStreamClient(streams, base_url=venue.url, options=settings, control_interval=0)


async def test_connects_to_the_combined_url_and_yields_raw_frames_and_events(
    venue: FakeBinanceStreamServer,
) -> None:
    client = client_for(venue, "BTCUSDT@trade", "ethusdt@kline_1m")
    messages = client.raw_messages()
    await until_connected(client, venue)
    (connection,) = venue.open_connections
    assert connection.path == "/stream"
    assert connection.streams == ["btcusdt@trade", "ethusdt@kline_1m"]
    assert client.status.state is FeedState.CONNECTED
    assert client.status.connected_since is not None

    assert await venue.publish("btcusdt@trade", trade(1)) == 1
    message = await next_item(messages)
    assert isinstance(message, RawMessage)
    assert message.payload.startswith(b'{"stream":"btcusdt@trade","data":{"e":"trade"')
    assert message.received_at > 0
    await client.close()
    assert client.status.state is FeedState.STOPPED
    with pytest.raises(StopAsyncIteration):
        await next_item(messages)


async def test_live_subscribe_unsubscribe_and_list_use_request_ids(
    venue: FakeBinanceStreamServer,
) -> None:
    client = client_for(venue, "btcusdt@trade")
    client.start()
    await until_connected(client, venue)
    await client.subscribe(["ETHUSDT@aggTrade", "btcusdt@trade"])
    (connection,) = venue.open_connections
    assert connection.requests[-1]["method"] == "SUBSCRIBE"
    assert connection.requests[-1]["params"] == ["ethusdt@aggTrade"]
    assert await client.list_subscriptions() == ["btcusdt@trade", "ethusdt@aggTrade"]
    await client.unsubscribe(["btcusdt@trade"])
    assert await client.list_subscriptions() == ["ethusdt@aggTrade"]
    assert client.streams == ["ethusdt@aggTrade"]
    ids = [request["id"] for request in connection.requests]
    assert ids == sorted(set(ids)), "every request has its own increasing id"
    await client.close()


async def test_a_rejected_subscription_raises_and_is_forgotten(
    venue: FakeBinanceStreamServer,
) -> None:
    venue.rejected_streams.add("nope@trade")
    client = client_for(venue)
    client.start()
    await until_connected(client, venue)
    with pytest.raises(BinanceRequestError, match="code 2"):
        await client.subscribe(["nope@trade"])
    assert client.streams == []
    assert "code 2" in (client.status.last_error or "")
    await client.close()


async def test_subscribing_while_disconnected_waits_for_the_next_connect() -> None:
    client = BinanceStreamClient(["btcusdt@trade"], base_url="ws://127.0.0.1:9", options=FAST)
    await client.subscribe(["ethusdt@trade"])
    assert client.url().endswith("/stream?streams=btcusdt@trade/ethusdt@trade")
    await client.close()


async def test_after_a_drop_it_reconnects_and_resubscribes_everything(
    venue: FakeBinanceStreamServer,
) -> None:
    client = client_for(venue, "btcusdt@trade")
    events = client.events()
    await until_connected(client, venue)
    await client.subscribe(["ethusdt@trade"])
    await venue.drop_all()
    await async_wait_until(lambda: len(venue.connections) == 2 and len(venue.open_connections) == 1)
    assert venue.open_connections[0].streams == ["btcusdt@trade", "ethusdt@trade"]
    await async_wait_until(lambda: client.status.state is FeedState.CONNECTED, what="reconnected")
    assert client.status.reconnects == 1
    assert client.status.last_error is not None

    await venue.publish("ethusdt@trade", trade(7, symbol="ETHUSDT"))
    event = await next_item(events)
    assert isinstance(event, Trade)
    assert (event.symbol, event.trade_id, event.price) == ("ETHUSDT", 7, Decimal("100.5"))
    await client.close()


async def test_malformed_frames_are_recorded_and_the_feed_keeps_going(
    venue: FakeBinanceStreamServer,
) -> None:
    client = client_for(venue, "btcusdt@trade")
    events = client.events()
    await until_connected(client, venue)
    await venue.send_to_all("this is not json")
    await venue.send_to_all('{"stream":"btcusdt@trade","data":{"e":"trade","E":1}}')
    await venue.send_to_all('{"code":3,"msg":"Invalid JSON: whatever"}')
    await venue.publish("btcusdt@trade", trade(2))
    event = await next_item(events)
    assert isinstance(event, Trade)
    assert event.trade_id == 2
    assert client.status.parse_errors == 2
    assert client.malformed_frames == 1
    assert client.status.state is FeedState.CONNECTED
    assert len(venue.connections) == 1, "no reconnect for a bad frame"
    await client.close()


async def test_silence_marks_the_feed_stale_and_a_frame_recovers_it(
    venue: FakeBinanceStreamServer,
) -> None:
    client = client_for(venue, "btcusdt@trade", stale_after=0.2)
    messages = client.raw_messages()
    await async_wait_until(lambda: client.status.state is FeedState.STALE, what="stale")
    stale_since = client.status.stale_since
    assert stale_since is not None
    assert client.status.connected_since is not None
    assert stale_since >= client.status.connected_since
    await venue.publish("btcusdt@trade", trade(3))
    await next_item(messages)
    assert client.status.state is FeedState.CONNECTED
    assert client.status.stale_since is None
    assert client.status.last_message_at is not None
    await client.close()


async def test_the_client_answers_the_venues_pings(venue: FakeBinanceStreamServer) -> None:
    client = client_for(venue, "btcusdt@trade")
    client.start()
    await until_connected(client, venue)
    pong = await venue.open_connections[0].websocket.ping()
    async with asyncio.timeout(2):
        await pong
    await client.close()


async def test_parsed_events_come_out_in_order(venue: FakeBinanceStreamServer) -> None:
    client = client_for(venue, "btcusdt@trade")
    events = client.events()
    await until_connected(client, venue)
    for trade_id in range(1, 51):
        await venue.publish("btcusdt@trade", trade(trade_id))
    received: list[Event] = [await next_item(events) for _ in range(50)]
    assert [event.trade_id for event in received if isinstance(event, Trade)] == list(range(1, 51))
    await client.close()


async def test_streams_beyond_the_url_cap_are_subscribed_right_after_connecting(
    venue: FakeBinanceStreamServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("paperex.marketdata.binance.client.MAX_STREAMS_IN_URL", 2)
    names = ["btcusdt@trade", "ethusdt@trade", "bnbusdt@trade", "solusdt@trade"]
    client = client_for(venue, *names)
    client.start()
    await until_connected(client, venue)
    (connection,) = venue.open_connections
    await async_wait_until(lambda: connection.streams == names, what="the rest subscribed")
    assert connection.requests[0]["params"] == names[2:]
    assert await client.list_subscriptions() == names
    await client.close()
