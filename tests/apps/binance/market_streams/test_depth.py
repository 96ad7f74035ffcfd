"""The depth streams over the tradable book (the feed's plus the users' resting orders):
diffs that Binance's local-book algorithm turns into the book ``/api/v3/depth`` shows, partial
depth and the book ticker (web-socket-streams.md, "How to manage a local order book")."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator

from paperex.apps.binance import wire
from paperex.apps.binance.market_streams.publisher import market_event_published
from paperex.apps.binance.market_streams.tradable_book import tradable_books
from paperex.apps.core.groups import book_group
from paperex.apps.marketdata.runtime import runtime
from paperex.apps.markets.models import Market
from paperex.apps.markets.services import markets_seed
from paperex.apps.trading.selectors.exchange_book import tradable_book_with_update_id
from paperex.marketdata.events import Event
from paperex.marketdata.live_view import LiveMarketView
from tests.apps.binance.market_streams.conftest import Connect
from tests.support.binance_books import LocalBook
from tests.support.market_events import T0, book, delta

pytestmark = pytest.mark.django_db(transaction=True)
D = Decimal


@pytest.fixture(autouse=True)
def fresh_books(transactional_db: None) -> Iterator[None]:
    """Paperex's markets (committed: the consumers read them in other threads), a market-data
    view with BTCUSDT's feed book at update 10, and no tradable book yet."""
    markets_seed()
    saved, runtime.state = runtime.state, LiveMarketView()
    tradable_books.clear()
    feed(book(10, bids=[("99", "1"), ("98", "2")], asks=[("101", "1"), ("102", "4")]))
    yield
    tradable_books.clear()
    runtime.state = saved


def feed(event: Event) -> None:
    """What the runtime does with a bus event: the view takes it, then the listeners."""
    runtime.state.apply(event)
    market_event_published(event)
    tradable_books.feed_updated(event)


async def exchange(sequence: int, bids: Any = (), asks: Any = ()) -> None:
    """The host's ``market.book`` message after a committed batch."""
    await get_channel_layer().group_send(
        book_group("BTCUSDT"),
        {
            "type": "market.book",
            "symbol": "BTCUSDT",
            "sequence": sequence,
            "bids": [list(level) for level in bids],
            "asks": [list(level) for level in asks],
            "time": T0 + sequence,
        },
    )


async def following(connect: Connect, path: str) -> WebsocketCommunicator:
    """A socket on ``path`` once it follows its streams (its first request is answered after
    the connection's set-up, which loads the book)."""
    socket = await connect(path)
    await socket.send_json_to({"method": "LIST_SUBSCRIPTIONS", "id": 0})
    assert (await receive(socket))["id"] == 0
    return socket


async def receive(socket: WebsocketCommunicator) -> dict[str, Any]:
    return dict(await socket.receive_json_from(timeout=5))


def rest_depth(snapshot: dict[str, Any] | None) -> dict[str, Any]:
    """A book read as ``/api/v3/depth`` writes it."""
    assert snapshot is not None
    return wire.depth(snapshot)


async def test_a_book_rebuilt_from_a_snapshot_and_diffs_is_the_tradable_book(
    connect: Connect,
) -> None:
    socket = await following(connect, "/ws/btcusdt@depth")
    buffered = []
    # Each update's diff is awaited before the next update: with Redis, the host's messages
    # come later than the feed's events, and this test holds their order.
    feed(delta(11, 12, bids=[("99", "3")]))
    buffered.append(await receive(socket))
    await exchange(1, bids=[("99", "0.5"), ("97", "1")])
    buffered.append(await receive(socket))
    assert buffered[0] == {
        "e": "depthUpdate",
        "E": T0,
        "s": "BTCUSDT",
        "U": 11,
        "u": 12,
        "b": [["99.00000000", "3.00000000"]],
        "a": [],
    }
    assert buffered[1] == {
        "e": "depthUpdate",
        "E": T0 + 1,
        "s": "BTCUSDT",
        "U": 13,
        "u": 13,
        "b": [["97.00000000", "1.00000000"], ["99.00000000", "3.50000000"]],
        "a": [],
    }
    snapshot = rest_depth(await tradable_books.snapshot("BTCUSDT", 1000))  # as /api/v3/depth
    assert snapshot["lastUpdateId"] == 13
    feed(delta(13, 13, asks=[("101", "0")]))
    buffered.append(await receive(socket))
    await exchange(2, asks=[("102", "1")])
    buffered.append(await receive(socket))
    feed(book(20, bids=[("99", "1")], asks=[("100", "1")]))  # the feed resynced
    buffered.append(await receive(socket))
    await exchange(3, bids=[("97", "0")])
    buffered.append(await receive(socket))
    assert [(diff["U"], diff["u"]) for diff in buffered[2:]] == [
        (14, 14),
        (15, 15),
        (16, 22),
        (23, 23),
    ]
    assert buffered[4]["b"] == [["98.00000000", "0.00000000"], ["99.00000000", "1.50000000"]]
    local = LocalBook(snapshot, buffered)
    real = rest_depth(await tradable_books.snapshot("BTCUSDT", 1000))
    assert local.equals(real)
    assert real == {
        "lastUpdateId": 23,
        "bids": [["99.00000000", "1.50000000"]],
        "asks": [["100.00000000", "1.00000000"], ["102.00000000", "1.00000000"]],
    }


async def test_the_database_reading_of_the_book_has_the_same_update_id(connect: Connect) -> None:
    await following(connect, "/ws/btcusdt@depth")
    feed(delta(11, 11, bids=[("97", "1")]))
    market = await database_sync_to_async(Market.objects.get)(symbol="BTCUSDT")
    from_database = await database_sync_to_async(tradable_book_with_update_id)(
        market=market, depth=100
    )
    assert rest_depth(from_database) == rest_depth(await tradable_books.snapshot("BTCUSDT", 100))
    assert rest_depth(from_database)["lastUpdateId"] == 11


async def test_a_gap_in_the_exchange_updates_reloads_the_book(connect: Connect) -> None:
    socket = await following(connect, "/ws/btcusdt@depth")
    await exchange(1, bids=[("97", "1")])
    assert (await receive(socket))["U"] == 11
    await exchange(3, bids=[("96", "1")])  # update 2 was lost
    await exchange(4, bids=[("95", "1")])  # after the reload: the database's sequence (0)
    assert await socket.receive_nothing(timeout=0.2)
    snapshot = await tradable_books.snapshot("BTCUSDT", 100)
    assert snapshot is not None
    assert snapshot["last_update_id"] == 10
    assert [price for price, _ in snapshot["bids"]] == [D("99"), D("98")]


async def test_partial_depth_sends_the_best_levels(connect: Connect) -> None:
    socket = await following(connect, "/stream?streams=btcusdt@depth5@100ms")
    await exchange(1, bids=[("99", "0.25")], asks=[("100.5", "2")])
    assert await receive(socket) == {
        "stream": "btcusdt@depth5@100ms",
        "data": {
            "lastUpdateId": 11,
            "bids": [["99.00000000", "1.25000000"], ["98.00000000", "2.00000000"]],
            "asks": [
                ["100.50000000", "2.00000000"],
                ["101.00000000", "1.00000000"],
                ["102.00000000", "4.00000000"],
            ],
        },
    }


async def test_the_book_ticker_is_sent_when_the_best_levels_change(connect: Connect) -> None:
    socket = await following(connect, "/ws/btcusdt@bookTicker")
    feed(delta(11, 11, bids=[("98", "5")]))  # not the best bid
    feed(delta(12, 12, bids=[("99.5", "2")]))
    first = await receive(socket)
    assert first == {
        "u": 11,
        "s": "BTCUSDT",
        "b": "99.00000000",
        "B": "1.00000000",
        "a": "101.00000000",
        "A": "1.00000000",
    }
    assert await receive(socket) == {**first, "u": 12, "b": "99.50000000", "B": "2.00000000"}
    feed(delta(13, 13, asks=[("102", "1")]))
    assert await socket.receive_nothing(timeout=0.1)


async def test_a_symbol_paperex_does_not_list_has_no_book(connect: Connect) -> None:
    socket = await following(connect, "/ws/dogeusdt@depth")
    await socket.send_json_to({"method": "LIST_SUBSCRIPTIONS", "id": 1})
    assert await receive(socket) == {"result": ["dogeusdt@depth"], "id": 1}
    assert await tradable_books.snapshot("DOGEUSDT", 5) is None
