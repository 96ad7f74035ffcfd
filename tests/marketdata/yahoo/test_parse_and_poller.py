"""The Yahoo quote poller with an injected fetch function (nothing touches the internet)."""

from __future__ import annotations

import asyncio
import threading
from decimal import Decimal

import pytest

from paperex.marketdata.errors import ParseError
from paperex.marketdata.events import Quote
from paperex.marketdata.feed import FeedState, RawMessage, parser_for
from paperex.marketdata.yahoo import parse_message
from paperex.marketdata.yahoo.poller import YahooQuotePoller, symbol_of_stream
from paperex.marketdata.yahoo.wire import QuoteWire
from tests.support.resources import venue_frame

NOW = 1_700_000_000_000


def quote(symbol: str, price: str) -> QuoteWire:
    return QuoteWire(symbol=symbol, price=Decimal(price), currency="USD", time=NOW - 500)


def test_a_recorded_quote_parses_to_an_exact_quote_event() -> None:
    payload = venue_frame("yahoo", "quote")
    assert parse_message(RawMessage(received_at=NOW, payload=payload)) == [
        Quote(
            venue="yahoo",
            symbol="AAPL",
            event_time=1699999999500,
            received_at=NOW,
            price=Decimal("189.84"),
            currency="USD",
        )
    ]
    assert parser_for("yahoo") is parse_message


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (b'{"symbol":"AAPL","price":"0","currency":"USD","time":1}', "not a positive number"),
        (b'{"symbol":"AAPL","price":"NaN","currency":"USD","time":1}', "not a positive number"),
        (b'{"symbol":"AAPL","currency":"USD","time":1}', "missing required field"),
        (b"nope", "malformed"),
    ],
)
def test_a_bad_quote_message_is_a_parse_error(payload: bytes, reason: str) -> None:
    with pytest.raises(ParseError, match=reason):
        parse_message(RawMessage(received_at=NOW, payload=payload))


async def test_polls_run_in_a_worker_thread_and_yield_recordable_messages() -> None:
    threads: list[int] = []

    def fetch(symbol: str) -> QuoteWire:
        threads.append(threading.get_ident())
        return quote(symbol, {"AAPL": "189.84", "MSFT": "370.10"}[symbol])

    poller = YahooQuotePoller(
        ["aapl@quote", "MSFT"], fetch_quote=fetch, interval=0.01, clock_ms=lambda: NOW
    )
    events = poller.events()
    async with asyncio.timeout(3):
        received = [await anext(events) for _ in range(4)]
    assert [(q.symbol, q.price) for q in received if isinstance(q, Quote)] == [
        ("AAPL", Decimal("189.84")),
        ("MSFT", Decimal("370.10")),
    ] * 2
    assert threading.get_ident() not in threads
    assert poller.status.state is FeedState.CONNECTED
    assert poller.status.connected_since == NOW
    await poller.close()
    assert poller.status.state is FeedState.STOPPED


async def test_a_failed_or_empty_poll_is_stale_with_a_reason_never_a_zero_price() -> None:
    answers: dict[str, QuoteWire | Exception | None] = {
        "AAPL": quote("AAPL", "189.84"),
        "MSFT": None,
        "TSLA": ConnectionError("yahoo unreachable"),
        "GME": quote("GME", "0"),
    }

    def fetch(symbol: str) -> QuoteWire | None:
        answer = answers[symbol]
        if isinstance(answer, Exception):
            raise answer
        return answer

    poller = YahooQuotePoller(
        ["AAPL", "MSFT", "TSLA", "GME"], fetch_quote=fetch, clock_ms=lambda: NOW
    )
    messages = await poller.poll_once()
    assert [parse_message(m)[0].symbol for m in messages] == ["AAPL"]  # type: ignore[union-attr]
    assert poller.status.state is FeedState.STALE
    assert poller.status.stale_since == NOW
    assert poller.symbol_errors == {
        "MSFT": "no quote",
        "TSLA": "poll failed: ConnectionError: yahoo unreachable",
        "GME": "unusable price 0",
    }
    assert "TSLA: poll failed" in (poller.status.last_error or "")

    answers.update(MSFT=quote("MSFT", "370.1"), TSLA=quote("TSLA", "240"), GME=quote("GME", "17.5"))
    assert len(await poller.poll_once()) == 4
    assert poller.status.state is FeedState.CONNECTED
    assert poller.status.stale_since is None
    assert poller.symbol_errors == {}


async def test_a_slow_fetch_does_not_block_the_event_loop() -> None:
    release = threading.Event()

    def slow_fetch(symbol: str) -> QuoteWire:
        release.wait(timeout=5)
        return quote(symbol, "10")

    poller = YahooQuotePoller(["AAPL"], fetch_quote=slow_fetch)
    polling = asyncio.create_task(poller.poll_once())
    try:
        other_work = asyncio.create_task(asyncio.sleep(0.01, result="done while polling"))
        async with asyncio.timeout(3):
            assert await other_work == "done while polling"
        assert not polling.done(), "the fetch is still blocked in its thread"
    finally:
        release.set()
    async with asyncio.timeout(3):
        assert len(await polling) == 1


async def test_subscribe_unsubscribe_and_stream_names() -> None:
    poller = YahooQuotePoller(fetch_quote=lambda symbol: quote(symbol, "1"))
    await poller.subscribe(["AAPL", "msft@quote"])
    await poller.unsubscribe(["aapl@quote"])
    assert poller.symbols == ["MSFT"]
    assert symbol_of_stream("brk-b@quote") == "BRK-B"
    with pytest.raises(ValueError, match="yahoo stream"):
        symbol_of_stream("aapl@trade")


async def test_close_ends_the_messages() -> None:
    poller = YahooQuotePoller(["AAPL"], fetch_quote=lambda symbol: quote(symbol, "1"), interval=60)
    messages = poller.raw_messages()
    async with asyncio.timeout(3):
        await anext(messages)
        await poller.close()
        assert [message async for message in messages] == []
