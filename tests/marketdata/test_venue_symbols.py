"""Venue symbols vs Paperex symbols: Gemini's BTCUSD is our BTCUSDT, live and in replays."""

from __future__ import annotations

import asyncio
import json
from decimal import Decimal
from pathlib import Path

from paperex.marketdata.bus import LocalBus
from paperex.marketdata.events import BookDelta, BookSnapshot, Event, Quote, Trade
from paperex.marketdata.feed import FeedState, RawMessage, feed_parser, renaming_parser
from paperex.marketdata.gemini.client import GeminiStreamClient
from paperex.marketdata.pipeline import FeedPipeline
from paperex.marketdata.recording import read_recording, record
from paperex.marketdata.yahoo import parse_message as parse_quote
from paperex.marketdata.yahoo.poller import YahooQuotePoller
from paperex.marketdata.yahoo.wire import QuoteWire
from tests.marketdata.fakes.gemini_stream import FakeGeminiServer
from tests.support.recordings import replayed_events
from tests.support.waiting import async_wait_until

BOOK = {
    "type": "l2_updates",
    "symbol": "BTCUSD",
    "changes": [["buy", "9122.04", "1"], ["sell", "9122.07", "2"]],
    "trades": [
        {
            "type": "trade",
            "symbol": "BTCUSD",
            "event_id": 1,
            "timestamp": 1560976400428,
            "price": "9122.04",
            "quantity": "0.5",
            "side": "sell",
            "tid": 11,
        }
    ],
}
UPDATE = {"type": "l2_updates", "symbol": "BTCUSD", "changes": [["buy", "9122.05", "3"]]}
MAP = {"BTCUSD": "BTCUSDT"}


def test_renaming_parser_renames_only_mapped_symbols_and_is_a_no_op_without_renames() -> None:
    quote = b'{"symbol":"%s","price":"1.5","currency":"USD","time":1}'
    parse = renaming_parser(parse_quote, {"BRK-B": "BRK.B", "AAPL": "AAPL"})
    assert [e.symbol for e in parse(RawMessage(1, quote % b"BRK-B"))] == ["BRK.B"]
    assert [e.symbol for e in parse(RawMessage(1, quote % b"MSFT"))] == ["MSFT"]
    assert renaming_parser(parse_quote, {"AAPL": "AAPL"}) is parse_quote


async def test_gemini_events_carry_our_symbol_while_raw_messages_keep_gemini_s() -> None:
    async with FakeGeminiServer() as venue:
        venue.initial_books["BTCUSD"] = BOOK
        client = GeminiStreamClient(["btcusd@l2"], base_url=venue.url, symbol_map=MAP)
        assert (client.symbols, client.streams) == (["BTCUSDT"], ["btcusd@l2"])
        events: list[Event] = []

        async def consume() -> None:
            async for event in client.events():
                events.append(event)

        task = asyncio.create_task(consume())
        try:
            await async_wait_until(lambda: len(events) == 2, what="the book and its trade")
            await venue.publish("l2", UPDATE)
            await async_wait_until(lambda: len(events) == 3, what="an update")
        finally:
            await client.close()
            await asyncio.wait_for(task, 5)
        assert [type(e) for e in events] == [BookSnapshot, Trade, BookDelta]
        assert {e.symbol for e in events} == {"BTCUSDT"}
        assert venue.connections[0].requests[0]["subscriptions"] == [
            {"name": "l2", "symbols": ["BTCUSD"]}
        ]


async def test_a_gemini_recording_keeps_the_map_and_replays_under_our_symbol(
    tmp_path: Path,
) -> None:
    path = tmp_path / "gemini.jsonl.gz"
    async with FakeGeminiServer() as venue:
        venue.initial_books["BTCUSD"] = BOOK
        client = GeminiStreamClient(["btcusd@l2"], base_url=venue.url, symbol_map=MAP)
        recording = asyncio.create_task(record(client, path, max_messages=2))
        await async_wait_until(lambda: len(venue.open_connections) == 1, what="a connection")
        await async_wait_until(lambda: bool(venue.open_connections[0].subscriptions), what="l2")
        await venue.publish("l2", UPDATE)
        await asyncio.wait_for(recording, 5)
        await client.close()
    header, messages = read_recording(path)
    assert (header.venue, header.symbols, header.symbol_map) == ("gemini", ["BTCUSDT"], MAP)
    assert json.loads(messages[0].payload)["symbol"] == "BTCUSD"
    played = await replayed_events(path)
    assert [type(e) for e in played] == [BookSnapshot, Trade, BookDelta]
    assert {e.symbol for e in played} == {"BTCUSDT"}


async def test_yahoo_in_the_pipeline_quotes_under_our_symbol_and_a_failure_is_stale() -> None:
    prices = {"BRK-B": "410.25"}

    def fetch(symbol: str) -> QuoteWire | None:
        if symbol == "GONE":
            raise ConnectionError("no route to Yahoo")
        price = prices.get(symbol)
        return QuoteWire(symbol, Decimal(price), "USD", 1) if price else None

    poller = YahooQuotePoller(
        ["BRK-B", "GONE"], fetch_quote=fetch, interval=30, symbol_map={"BRK-B": "BRK.B"}
    )
    assert (poller.symbols, poller.streams) == (["BRK.B", "GONE"], ["brk-b@quote", "gone@quote"])
    assert feed_parser(poller) is not parse_quote
    bus = LocalBus()
    await bus.start()
    published = bus.subscribe(maxsize=100)
    pipeline = FeedPipeline(bus, [poller], store_closed_candles=_ignore, tick_seconds=60)
    await pipeline.start()
    try:
        event = await asyncio.wait_for(anext(aiter(published)), 5)
    finally:
        await pipeline.stop()
        await bus.stop()
    assert isinstance(event, Quote)
    assert (event.symbol, event.price) == ("BRK.B", Decimal("410.25"))
    assert poller.status.stale_since is not None
    assert "GONE: poll failed: ConnectionError: no route to Yahoo" in (
        poller.status.last_error or ""
    )
    assert poller.status.state is FeedState.STOPPED


async def _ignore(klines: object) -> None:
    return None
