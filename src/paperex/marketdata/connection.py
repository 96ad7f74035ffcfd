"""The reconnecting WebSocket loop every streaming venue adapter shares.

``ReconnectingWebSocket`` connects, reads frames into a bounded queue as ``RawMessage``s, answers
the venue's pings (the ``websockets`` library does) and pings the venue itself, marks the feed
STALE when no frame arrives for ``stale_after`` seconds, and on any failure waits an exponential
backoff with jitter and connects again. Venue clients supply the URL (evaluated on every attempt,
so it can carry the current subscriptions), an ``on_open`` hook (send subscriptions) and an
``on_frame`` hook (see control replies). The random source, the sleep and the clock are injectable
so tests run the backoff schedule without waiting.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from paperex.marketdata.errors import ParseError
from paperex.marketdata.events import Event
from paperex.marketdata.feed import FeedState, FeedStatus, Parser, RawMessage
from paperex.support.async_tasks import cancel_and_wait
from paperex.support.backoff import BackoffPolicy, RandomFraction, Sleep
from paperex.support.clock import ClockMs, wall_clock_ms


@dataclass(frozen=True, slots=True)
class ConnectionOptions:
    """Timings of a streaming connection, in seconds; ``None`` disables a ping setting."""

    backoff: BackoffPolicy = field(default_factory=BackoffPolicy)
    stale_after: float = 30.0
    """No frame for this long marks the feed STALE (it recovers on the next frame)."""
    ping_interval: float | None = 20.0
    ping_timeout: float | None = 20.0
    """No pong for this long closes the connection, which then reconnects."""
    open_timeout: float = 10.0
    close_timeout: float = 2.0
    request_timeout: float = 10.0
    """How long a control request waits for its reply."""
    queue_size: int = 10_000
    """Frames buffered for a slow consumer; beyond it reading pauses (backpressure)."""
    max_frame_bytes: int = 16 * 1024 * 1024


class NotConnectedError(ConnectionError):
    """A request needs an open connection and there is none right now."""


_CLOSED = RawMessage(received_at=-1, payload=b"")


class ReconnectingWebSocket:
    """One venue WebSocket kept open until ``close``; frames come out of ``raw_messages``."""

    def __init__(
        self,
        *,
        url: Callable[[], str],
        on_open: Callable[[ClientConnection], Awaitable[None]] | None = None,
        on_frame: Callable[[bytes], None] | None = None,
        on_disconnect: Callable[[], None] | None = None,
        options: ConnectionOptions | None = None,
        clock_ms: ClockMs = wall_clock_ms,
        random_fraction: RandomFraction = random.random,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        """Nothing happens until ``start`` or the first ``raw_messages``."""
        self._url = url
        self._on_open = on_open
        self._on_frame = on_frame
        self._on_disconnect = on_disconnect
        self.options = options or ConnectionOptions()
        self._clock_ms = clock_ms
        self._random_fraction = random_fraction
        self._sleep = sleep
        self.status = FeedStatus()
        self._queue: asyncio.Queue[RawMessage] = asyncio.Queue(self.options.queue_size)
        self._connection: ClientConnection | None = None
        self._task: asyncio.Task[None] | None = None
        self._closing = False

    @property
    def connection(self) -> ClientConnection | None:
        """The open connection, or None between connections."""
        return self._connection

    def start(self) -> None:
        """Start connecting in the background (idempotent); raises RuntimeError after close."""
        if self._closing:
            raise RuntimeError("the connection is closed")
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run())

    def raw_messages(self) -> AsyncIterator[RawMessage]:
        """Frames as received, across reconnects, until ``close``; starts connecting now."""
        if not self._closing:
            self.start()
        return self._queued_messages()

    async def _queued_messages(self) -> AsyncIterator[RawMessage]:
        while True:
            message = await self._queue.get()
            if message is _CLOSED:
                self._queue.put_nowait(_CLOSED)  # later iterators end too
                return
            yield message

    async def send(self, text: str) -> None:
        """Send a text frame; raises NotConnectedError between connections."""
        connection = self._connection
        if connection is None:
            raise NotConnectedError("not connected")
        try:
            await connection.send(text)
        except ConnectionClosed as error:
            raise NotConnectedError(f"connection closed: {error}") from error

    async def close(self) -> None:
        """Stop, close the connection and end ``raw_messages``; status becomes STOPPED."""
        self._closing = True
        await cancel_and_wait(self._task)
        self.status.state = FeedState.STOPPED
        self.status.connected_since = None
        if self._queue.full():
            self._queue.get_nowait()
        self._queue.put_nowait(_CLOSED)

    async def _run(self) -> None:
        attempt = 0
        while True:
            try:
                async with connect(
                    self._url(),
                    open_timeout=self.options.open_timeout,
                    close_timeout=self.options.close_timeout,
                    ping_interval=self.options.ping_interval,
                    ping_timeout=self.options.ping_timeout,
                    max_size=self.options.max_frame_bytes,
                ) as connection:
                    self._mark_connected(connection)
                    attempt = 0
                    if self._on_open is not None:
                        await self._on_open(connection)
                    await self._receive(connection)
            except Exception as error:  # any failure means: record it and reconnect
                self.status.last_error = _describe(error)
            self._mark_disconnected()
            await self._sleep(self.options.backoff.delay(attempt, self._random_fraction()))
            attempt += 1
            self.status.reconnects += 1

    async def _receive(self, connection: ClientConnection) -> None:
        stale_after = self.options.stale_after
        while True:
            try:
                async with asyncio.timeout(stale_after):
                    payload = await connection.recv(decode=False)
            except TimeoutError:
                self._mark_stale()
                continue
            now = self._clock_ms()
            status = self.status
            status.last_message_at = now
            if status.state is FeedState.STALE:
                status.state = FeedState.CONNECTED
                status.stale_since = None
            if self._on_frame is not None:
                try:
                    self._on_frame(payload)
                except Exception as error:  # a hook's bug must not end the feed
                    status.last_error = _describe(error)
            await self._queue.put(RawMessage(received_at=now, payload=payload))

    def _mark_connected(self, connection: ClientConnection) -> None:
        self._connection = connection
        self.status.state = FeedState.CONNECTED
        self.status.connected_since = self._clock_ms()
        self.status.stale_since = None

    def _mark_disconnected(self) -> None:
        self._connection = None
        self.status.state = FeedState.CONNECTING
        self.status.connected_since = None
        self.status.stale_since = None
        if self._on_disconnect is not None:
            self._on_disconnect()

    def _mark_stale(self) -> None:
        if self.status.state is not FeedState.STALE:
            self.status.state = FeedState.STALE
            self.status.stale_since = self._clock_ms()


def _describe(error: BaseException) -> str:
    text = str(error)
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


async def parse_messages(
    messages: AsyncIterator[RawMessage],
    parser: Parser,
    status: FeedStatus,
) -> AsyncIterator[Event]:
    """Events of ``messages`` through ``parser``; a ParseError is not raised but counted in
    ``status.parse_errors`` and kept as ``status.last_error``."""
    async for message in messages:
        try:
            events = parser(message)
        except ParseError as error:
            status.parse_errors += 1
            status.last_error = str(error)
            continue
        for event in events:
            yield event
