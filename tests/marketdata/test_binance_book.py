"""A Binance book kept in sync from the fake venue's diff stream and REST snapshots, with gaps."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from decimal import Decimal

import pytest

from paperex.marketdata.binance.book import BinanceBookKeeper
from paperex.marketdata.binance.client import BinanceStreamClient
from paperex.marketdata.binance.rest import BinanceRestClient
from paperex.marketdata.connection import BackoffPolicy, ConnectionOptions
from tests.marketdata.fakes.binance_rest import FakeBinanceRestServer
from tests.marketdata.fakes.binance_stream import FakeBinanceStreamServer
from tests.marketdata.fakes.waiting import wait_until

STREAM = "btcusdt@depth@100ms"
FAST_RETRY = BackoffPolicy(initial_delay=0.01, maximum_delay=0.02)


def depth_update(
    first: int, final: int, bids: list[list[str]], asks: list[list[str]]
) -> dict[str, object]:
    return {
        "e": "depthUpdate",
        "E": 1_700_000_000_000 + final,
        "s": "BTCUSDT",
        "U": first,
        "u": final,
        "b": bids,
        "a": asks,
    }


def depth_snapshot(
    last_update_id: int, bids: list[list[str]], asks: list[list[str]]
) -> dict[str, object]:
    return {"lastUpdateId": last_update_id, "bids": bids, "asks": asks}


def levels(*pairs: tuple[str, str]) -> list[tuple[Decimal, Decimal]]:
    return [(Decimal(price), Decimal(quantity)) for price, quantity in pairs]


@pytest.fixture
async def venues() -> AsyncIterator[tuple[FakeBinanceStreamServer, FakeBinanceRestServer]]:
    async with FakeBinanceStreamServer() as stream, FakeBinanceRestServer() as rest:
        yield stream, rest


async def test_the_book_syncs_then_resyncs_from_a_new_snapshot_after_a_gap(
    venues: tuple[FakeBinanceStreamServer, FakeBinanceRestServer],
) -> None:
    stream_venue, rest_venue = venues
    rest_venue.depth_snapshots["BTCUSDT"] = [
        depth_snapshot(100, [["99.00", "1.0"], ["98.00", "2.0"]], [["101.00", "1.0"]]),
        depth_snapshot(205, [["90.00", "3.0"]], [["110.00", "4.0"], ["111.00", "1.0"]]),
    ]
    client = BinanceStreamClient([STREAM], base_url=stream_venue.url, control_interval=0)
    async with BinanceRestClient(rest_venue.url) as rest:
        keeper = BinanceBookKeeper("BTCUSDT", rest.depth, retry=FAST_RETRY)
        running = asyncio.create_task(keeper.run(client.events()))
        await wait_until(lambda: len(stream_venue.open_connections) == 1, what="a connection")
        await wait_until(lambda: client.status.state.value == "connected")

        await stream_venue.publish(STREAM, depth_update(95, 99, [["1.00", "1"]], []))
        await stream_venue.publish(STREAM, depth_update(100, 102, [["99.00", "4.0"]], []))
        await stream_venue.publish(
            STREAM, depth_update(103, 105, [["98.00", "0"]], [["102.00", "2"]])
        )
        await wait_until(lambda: keeper.sync.last_update_id == 105, what="first sync")
        assert keeper.bids(10) == levels(("99.00", "4.0"))
        assert keeper.asks(10) == levels(("101.00", "1.0"), ("102.00", "2"))
        assert keeper.best_bid() == (Decimal("99"), Decimal("4"))

        await stream_venue.publish(
            STREAM, depth_update(110, 112, [["97.00", "1"]], [])
        )  # gap: 106..109
        await stream_venue.publish(
            STREAM, depth_update(205, 207, [["90.00", "0"], ["91.00", "1"]], [])
        )
        await wait_until(lambda: keeper.sync.last_update_id == 207, what="resync")
        assert keeper.resyncs == 1
        assert keeper.snapshots_fetched == 2
        assert keeper.bids(5) == levels(("91.00", "1"))
        assert keeper.best_ask() == (Decimal("110"), Decimal("4"))
        depth_requests = [query for path, query in rest_venue.requests if path == "/api/v3/depth"]
        assert depth_requests == [{"symbol": "BTCUSDT", "limit": "5000"}] * 2

        await client.close()
        async with asyncio.timeout(2):
            await running


async def test_a_failing_snapshot_fetch_is_retried(
    venues: tuple[FakeBinanceStreamServer, FakeBinanceRestServer],
) -> None:
    stream_venue, rest_venue = venues
    rest_venue.failures_before_depth = 2
    rest_venue.depth_snapshots["BTCUSDT"] = [depth_snapshot(10, [["5", "1"]], [["6", "1"]])]
    options = ConnectionOptions(backoff=FAST_RETRY)
    client = BinanceStreamClient([STREAM], base_url=stream_venue.url, options=options)
    async with BinanceRestClient(rest_venue.url) as rest:
        keeper = BinanceBookKeeper("btcusdt", rest.depth, retry=FAST_RETRY)
        running = asyncio.create_task(keeper.run(client.events()))
        await wait_until(lambda: client.status.state.value == "connected")
        await stream_venue.publish(STREAM, depth_update(9, 11, [["5", "2"]], []))
        await wait_until(lambda: keeper.in_sync, what="sync after failures")
        assert keeper.best_bid() == (Decimal("5"), Decimal("2"))
        assert keeper.last_error is not None
        assert "-1001" in keeper.last_error
        await client.close()
        async with asyncio.timeout(2):
            await running
