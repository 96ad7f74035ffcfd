"""Gemini v2: parsing messages written from the venue's documentation (kept in tests/resources),
and the live client against a local fake venue."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import pytest

from paperex.domain import Side
from paperex.marketdata.connection import ConnectionOptions
from paperex.marketdata.errors import ParseError
from paperex.marketdata.events import BookDelta, BookSnapshot, Event, Kline, Trade
from paperex.marketdata.feed import FeedState, RawMessage, parser_for
from paperex.marketdata.gemini import GeminiParser, default_parser
from paperex.marketdata.gemini.client import GeminiStreamClient, parse_stream_name
from paperex.marketdata.local_book import BookSync
from paperex.support.backoff import BackoffPolicy
from tests.marketdata.fakes.gemini_stream import FakeGeminiServer
from tests.support.resources import venue_message
from tests.support.waiting import async_wait_until

CANDLES = venue_message("gemini", "candles_1m_updates")
INITIAL_BOOK = venue_message("gemini", "l2_updates")
TRADE = venue_message("gemini", "trade")
NOW = 1561054530000


def message(body: dict[str, Any] | str, received_at: int = NOW) -> RawMessage:
    text = body if isinstance(body, str) else json.dumps(body)
    return RawMessage(received_at=received_at, payload=text.encode())


def l2_change(*changes: list[str]) -> dict[str, Any]:
    return {"type": "l2_updates", "symbol": "BTCUSD", "changes": list(changes)}


def test_candles_come_out_oldest_first_with_exact_decimals() -> None:
    older, newer = GeminiParser()(message(CANDLES))
    assert isinstance(older, Kline)
    assert isinstance(newer, Kline)
    assert (older.open_time, newer.open_time) == (1561054440000, 1561054500000)
    assert newer == Kline(
        venue="gemini",
        symbol="BTCUSD",
        event_time=NOW,
        received_at=NOW,
        interval="1m",
        open_time=1561054500000,
        close_time=1561054559999,
        open=Decimal("9350.18"),
        high=Decimal("9358.35"),
        low=Decimal("9350.18"),
        close=Decimal("9355.51"),
        volume=Decimal("2.07"),
        quote_volume=Decimal(0),
        trade_count=0,
        closed=False,
    )
    assert older.closed
    (later,) = GeminiParser()(message({**CANDLES, "changes": CANDLES["changes"][:1]}, NOW + 60_000))
    assert later.closed  # type: ignore[union-attr]


def test_the_first_l2_message_is_a_sorted_snapshot_with_its_trades() -> None:
    snapshot, trade = GeminiParser()(message(INITIAL_BOOK))
    assert isinstance(snapshot, BookSnapshot)
    assert snapshot.last_update_id == 1
    assert [price for price, _ in snapshot.bids] == [Decimal("9122.04"), Decimal("9122.01")]
    assert [price for price, _ in snapshot.asks] == [Decimal("9122.07"), Decimal("9123.00")]
    assert trade == Trade(
        venue="gemini",
        symbol="BTCUSD",
        event_time=1560976400428,
        received_at=NOW,
        trade_id=2840140800042677,
        price=Decimal("9122.04"),
        quantity=Decimal("0.0073173"),
        trade_time=1560976400428,
        aggressor=Side.SELL,
    )


def test_later_l2_messages_are_deltas_with_a_local_contiguous_sequence() -> None:
    parser = GeminiParser()
    parser(message(INITIAL_BOOK))
    first = parser(message(l2_change(["sell", "9122.07", "0"])))
    second = parser(message(l2_change(["buy", "9122.05", "1"], ["sell", "9122.06", "2"])))
    deltas = [event for event in first + second if isinstance(event, BookDelta)]
    assert [(d.first_update_id, d.final_update_id) for d in deltas] == [(2, 2), (3, 3)]
    assert deltas[0].asks == [(Decimal("9122.07"), Decimal("0"))]
    assert deltas[1].bids == [(Decimal("9122.05"), Decimal("1"))]
    resubscribed = parser(message(INITIAL_BOOK))[0]
    assert isinstance(resubscribed, BookSnapshot)
    assert resubscribed.last_update_id == 4


def test_the_local_sequence_drives_a_book_sync() -> None:
    parser = GeminiParser()
    sync = BookSync("BTCUSD")
    for body in (
        INITIAL_BOOK,
        l2_change(["sell", "9122.07", "0"]),
        l2_change(["buy", "9122.06", "3"]),
    ):
        for event in parser(message(body)):
            if isinstance(event, BookSnapshot):
                sync.on_snapshot(event)
            elif isinstance(event, BookDelta):
                assert sync.on_delta(event)
    assert sync.book.best_bid() == (Decimal("9122.06"), Decimal("3"))
    assert sync.book.best_ask() == (Decimal("9123.00"), Decimal("2"))


def test_a_trade_in_seconds_is_normalized_to_ms_and_buy_is_the_taker() -> None:
    (trade,) = GeminiParser()(message(TRADE))
    assert isinstance(trade, Trade)
    assert (trade.event_time, trade.aggressor, trade.price) == (
        1512312412000,
        Side.BUY,
        Decimal("9004.21"),
    )


def test_heartbeats_are_ignored_and_the_parser_is_registered() -> None:
    assert GeminiParser()(message({"type": "heartbeat", "timestamp": 1})) == []
    assert parser_for("gemini") is default_parser


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("{not json", "malformed"),
        ({"type": "l2_updates", "symbol": "BTCUSD"}, "missing required field `changes`"),
        (l2_change(["middle", "1", "1"]), "neither buy nor sell"),
        ({**TRADE, "side": "up"}, "neither buy nor sell"),
        ({**CANDLES, "type": "candles_2m_updates"}, "unknown candle timeframe"),
        ({"type": "mystery"}, "unknown message type"),
        ({**TRADE, "price": "abc"}, "decimal"),
    ],
)
def test_malformed_messages_raise_a_parse_error(body: dict[str, Any] | str, reason: str) -> None:
    with pytest.raises(ParseError, match=reason) as error:
        GeminiParser()(message(body))
    assert str(error.value).startswith("gemini: ")


def test_stream_names() -> None:
    assert parse_stream_name("btcusd@l2") == ("l2", "BTCUSD")
    assert parse_stream_name("ETHUSD@candles_15m") == ("candles_15m", "ETHUSD")
    for bad in ("btcusd@l3", "@l2", "btcusd", "btcusd@candles_2m"):
        with pytest.raises(ValueError, match="gemini stream"):
            parse_stream_name(bad)


FAST = ConnectionOptions(
    backoff=BackoffPolicy(initial_delay=0.01, maximum_delay=0.05), stale_after=5.0
)


@pytest.fixture
async def venue() -> AsyncIterator[FakeGeminiServer]:
    async with FakeGeminiServer() as server:
        server.initial_books["BTCUSD"] = INITIAL_BOOK
        yield server


async def next_event(events: AsyncIterator[Event]) -> Event:
    async with asyncio.timeout(3):
        return await anext(events)


async def test_the_client_subscribes_gets_the_book_and_updates(venue: FakeGeminiServer) -> None:
    client = GeminiStreamClient(
        ["btcusd@l2", "btcusd@candles_1m"], base_url=venue.url, options=FAST
    )
    events = client.events()
    assert isinstance(await next_event(events), BookSnapshot)
    assert isinstance(await next_event(events), Trade)
    (connection,) = venue.open_connections
    assert connection.requests == [
        {
            "type": "subscribe",
            "subscriptions": [
                {"name": "l2", "symbols": ["BTCUSD"]},
                {"name": "candles_1m", "symbols": ["BTCUSD"]},
            ],
        }
    ]
    await venue.send_to_all(json.dumps({"type": "heartbeat", "timestamp": 1}))
    await venue.publish("l2", l2_change(["buy", "9122.05", "1"]))
    await venue.publish("candles_1m", CANDLES)
    delta = await next_event(events)
    assert isinstance(delta, BookDelta)
    assert delta.first_update_id == 2
    assert isinstance(await next_event(events), Kline)
    assert client.status.state is FeedState.CONNECTED
    await client.close()


async def test_live_subscribe_and_unsubscribe_messages(venue: FakeGeminiServer) -> None:
    client = GeminiStreamClient(base_url=venue.url, options=FAST)
    client.start()
    await async_wait_until(
        lambda: client.status.state is FeedState.CONNECTED and venue.open_connections != []
    )
    await client.subscribe(["ethusd@candles_5m", "btcusd@candles_5m"])
    await async_wait_until(lambda: len(venue.open_connections[0].subscriptions) == 2)
    await client.unsubscribe(["ethusd@candles_5m"])
    await async_wait_until(
        lambda: venue.open_connections[0].subscriptions == {("candles_5m", "BTCUSD")}
    )
    assert venue.open_connections[0].requests[-1] == {
        "type": "unsubscribe",
        "subscriptions": [{"name": "candles_5m", "symbols": ["ETHUSD"]}],
    }
    assert client.streams == ["btcusd@candles_5m"]
    await client.close()


async def test_after_a_drop_it_reconnects_resubscribes_and_gets_a_fresh_snapshot(
    venue: FakeGeminiServer,
) -> None:
    client = GeminiStreamClient(["btcusd@l2"], base_url=venue.url, options=FAST)
    events = client.events()
    first = await next_event(events)
    assert isinstance(first, BookSnapshot)
    await next_event(events)  # its trade
    await venue.drop_all()
    again = await next_event(events)
    assert isinstance(again, BookSnapshot)
    assert again.last_update_id == first.last_update_id + 1
    assert client.status.reconnects == 1
    assert venue.open_connections[0].subscriptions == {("l2", "BTCUSD")}
    await client.close()


async def test_malformed_messages_are_recorded_and_the_feed_keeps_going(
    venue: FakeGeminiServer,
) -> None:
    client = GeminiStreamClient(["btcusd@candles_1m"], base_url=venue.url, options=FAST)
    events = client.events()
    await async_wait_until(
        lambda: (
            client.status.state is FeedState.CONNECTED
            and any(c.subscriptions for c in venue.open_connections)
        )
    )
    await venue.send_to_all("<html>oops</html>")
    await venue.send_to_all(json.dumps({"type": "candles_1m_updates", "symbol": "BTCUSD"}))
    await venue.publish("candles_1m", CANDLES)
    assert isinstance(await next_event(events), Kline)
    assert client.status.parse_errors == 2
    assert "gemini" in (client.status.last_error or "")
    assert len(venue.connections) == 1
    await client.close()


async def test_silence_marks_the_gemini_feed_stale(venue: FakeGeminiServer) -> None:
    options = ConnectionOptions(stale_after=0.05)
    client = GeminiStreamClient(["btcusd@candles_1m"], base_url=venue.url, options=options)
    client.start()
    await async_wait_until(lambda: client.status.state is FeedState.STALE, what="stale")
    assert client.status.stale_since is not None
    await client.close()
