"""The shared reconnect loop: backoff schedule with jitter, status while reconnecting."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from paperex.marketdata.connection import ConnectionOptions, ReconnectingWebSocket, parse_messages
from paperex.marketdata.errors import ParseError
from paperex.marketdata.events import Event
from paperex.marketdata.feed import FeedState, FeedStatus, RawMessage
from paperex.support.backoff import BackoffPolicy
from tests.support.market_events import T0, trade
from tests.support.network import unused_port
from tests.support.waiting import async_wait_until


def test_backoff_doubles_up_to_the_maximum() -> None:
    policy = BackoffPolicy(initial_delay=1.0, maximum_delay=8.0, multiplier=2.0, jitter=0.0)
    assert [policy.delay(attempt, 0.9) for attempt in range(6)] == [1, 2, 4, 8, 8, 8]


@pytest.mark.parametrize("attempt", [0, 3, 10, 1000])
def test_jitter_spreads_the_delay_within_its_fraction(attempt: int) -> None:
    policy = BackoffPolicy(initial_delay=0.5, maximum_delay=30.0, jitter=0.5)
    base = min(30.0, 0.5 * 2.0**attempt)
    assert policy.delay(attempt, 0.0) == pytest.approx(base / 2)
    assert policy.delay(attempt, 0.999999) == pytest.approx(base, rel=1e-5)
    assert policy.delay(attempt, 0.5) == pytest.approx(base * 0.75)


@pytest.mark.parametrize(
    "arguments",
    [
        {"initial_delay": -1.0},
        {"initial_delay": 5.0, "maximum_delay": 1.0},
        {"multiplier": 0.5},
        {"jitter": 1.5},
    ],
)
def test_a_nonsense_policy_is_refused(arguments: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="backoff needs"):
        BackoffPolicy(**arguments)


async def test_failed_connects_follow_the_backoff_schedule_with_injected_jitter() -> None:
    delays: list[float] = []
    enough = asyncio.Event()
    fractions = iter([0.0, 1.0, 0.5, 0.25, 0.0, 0.0, 0.0, 0.0] + [0.0] * 1000)

    async def record_sleep(seconds: float) -> None:
        delays.append(seconds)
        if len(delays) >= 6:
            enough.set()
        await asyncio.sleep(0)

    connection = ReconnectingWebSocket(
        url=lambda: f"ws://127.0.0.1:{unused_port()}/stream",
        options=ConnectionOptions(
            backoff=BackoffPolicy(initial_delay=1.0, maximum_delay=10.0, jitter=0.5),
            open_timeout=2.0,
        ),
        random_fraction=lambda: next(fractions),
        sleep=record_sleep,
    )
    connection.start()
    async with asyncio.timeout(10):
        await enough.wait()
    await connection.close()
    assert delays[:6] == pytest.approx([0.5, 2.0, 3.0, 5.0, 5.0, 5.0])
    assert connection.status.reconnects >= 5
    assert "ConnectionRefused" in (connection.status.last_error or "") or "Errno" in (
        connection.status.last_error or ""
    )
    assert connection.status.state is FeedState.STOPPED


async def test_close_before_start_ends_the_messages_at_once() -> None:
    connection = ReconnectingWebSocket(url=lambda: "ws://127.0.0.1:9/")
    await connection.close()
    messages = connection.raw_messages()
    async with asyncio.timeout(1):
        assert [message async for message in messages] == []


async def test_status_is_connecting_while_the_venue_is_unreachable() -> None:
    connection = ReconnectingWebSocket(
        url=lambda: f"ws://127.0.0.1:{unused_port()}/",
        options=ConnectionOptions(backoff=BackoffPolicy(initial_delay=0.01, maximum_delay=0.02)),
    )
    connection.start()
    await async_wait_until(lambda: connection.status.reconnects >= 2, what="retries")
    assert connection.status.state is FeedState.CONNECTING
    assert connection.status.connected_since is None
    await connection.close()


async def test_a_refused_message_is_counted_in_the_status_and_the_rest_still_parse() -> None:
    good = trade("100", "1", T0)

    def parse(message: RawMessage) -> list[Event]:
        if message.payload == b"bad":
            raise ParseError("test", "refused", message.payload)
        return [good]

    async def messages() -> AsyncIterator[RawMessage]:
        for payload in (b"good", b"bad", b"good"):
            yield RawMessage(received_at=T0, payload=payload)

    status = FeedStatus()
    events = [event async for event in parse_messages(messages(), parse, status)]
    assert events == [good, good]
    assert status.parse_errors == 1
    assert status.last_error == "test: refused in 'bad'"
