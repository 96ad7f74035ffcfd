"""The market-data bus: feeds publish normalized events, subscribers consume them.

``LocalBus`` delivers within one process (the embedded default). ``RedisBus`` publishes through
Redis pub/sub so that every server process receives every event; each process decodes an event
once and hands the same object to all of its local subscribers.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Collection
from typing import Any, Protocol
from urllib.parse import urlsplit

import msgspec
import redis.asyncio as redis

from paperex.marketdata.events import Event
from paperex.support.async_tasks import cancel_and_wait
from paperex.support.supervision import supervise

logger = logging.getLogger(__name__)
_encoder = msgspec.json.Encoder(decimal_format="string")
_decoder = msgspec.json.Decoder(Event)


class Subscription:
    """A bounded queue of events for one consumer; when it is full the oldest are dropped."""

    def __init__(
        self,
        bus: LocalBus,
        kinds: Collection[str] | None,
        symbols: Collection[str] | None,
        maxsize: int,
    ) -> None:
        self._bus = bus
        self.kinds = frozenset(kinds) if kinds is not None else None
        self.symbols = frozenset(symbols) if symbols is not None else None
        self._queue: asyncio.Queue[Event] = asyncio.Queue(maxsize)
        self.dropped = 0

    def wants(self, event: Event) -> bool:
        """Whether the event matches this subscription's kinds and symbols."""
        kind = type(event).__struct_config__.tag
        return (self.kinds is None or kind in self.kinds) and (
            self.symbols is None or event.symbol in self.symbols
        )

    def offer(self, event: Event) -> None:
        """Queue the event, dropping the oldest one when the consumer has fallen behind."""
        if self._queue.full():
            self._queue.get_nowait()
            self.dropped += 1
        self._queue.put_nowait(event)

    @property
    def pending(self) -> int:
        """How many events wait to be taken."""
        return self._queue.qsize()

    async def get(self) -> Event:
        """The next event, waiting for one."""
        return await self._queue.get()

    def get_nowait(self) -> Event | None:
        """The next event if one is queued, else None."""
        try:
            return self._queue.get_nowait()
        except asyncio.QueueEmpty:
            return None

    def __aiter__(self) -> AsyncIterator[Event]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[Event]:
        while True:
            yield await self._queue.get()

    def close(self) -> None:
        """Stop receiving events."""
        self._bus.unsubscribe(self)


class MarketDataBus(Protocol):
    async def publish(self, event: Event) -> None: ...

    def subscribe(
        self,
        *,
        kinds: Collection[str] | None = None,
        symbols: Collection[str] | None = None,
        maxsize: int = 10_000,
    ) -> Subscription: ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


class BusUnavailableError(ConnectionError):
    """The bus could not take an event: Redis is away."""


class LocalBus:
    """In-process fan-out to subscriptions."""

    def __init__(self) -> None:
        self._subscriptions: list[Subscription] = []

    async def start(self) -> None:
        """Nothing to connect to."""

    async def stop(self) -> None:
        """Nothing to release."""

    def subscribe(
        self,
        *,
        kinds: Collection[str] | None = None,
        symbols: Collection[str] | None = None,
        maxsize: int = 10_000,
    ) -> Subscription:
        """A new subscription to events of these kinds and symbols (None: all)."""
        subscription = Subscription(self, kinds, symbols, maxsize)
        self._subscriptions.append(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        """Remove a subscription; unknown ones are ignored."""
        with contextlib.suppress(ValueError):
            self._subscriptions.remove(subscription)

    def deliver(self, event: Event) -> None:
        """Hand the event to every matching local subscription."""
        for subscription in self._subscriptions:
            if subscription.wants(event):
                subscription.offer(event)

    async def publish(self, event: Event) -> None:
        """Deliver the event to this process's subscribers."""
        self.deliver(event)


def redis_channel(url: str) -> str:
    """The bus's pub/sub channel: ``paperex:<db>:marketdata``. Pub/sub ignores the database
    number, so it is part of the name: installations on different databases stay apart."""
    database = urlsplit(url).path.strip("/") or "0"
    return f"paperex:{database}:marketdata"


class RedisBus(LocalBus):
    """Publishes through Redis; a reader task delivers what arrives to local subscribers."""

    def __init__(self, url: str, channel: str | None = None) -> None:
        """``channel`` defaults to ``redis_channel(url)``."""
        super().__init__()
        self._client: redis.Redis = redis.Redis.from_url(url)
        self._channel = channel or redis_channel(url)
        self._reader: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()

    async def start(self) -> None:
        """Start receiving from Redis; returns once the subscription is active."""
        self._reader = asyncio.create_task(self._read(), name="marketdata-bus-reader")
        await self._ready.wait()

    async def stop(self) -> None:
        """Stop the reader and close the connection."""
        await cancel_and_wait(self._reader)
        await self._client.aclose()

    async def publish(self, event: Event) -> None:
        """Send the event to every process subscribed to the channel, this one included.

        Raises BusUnavailableError when Redis is away (the event is not sent).
        """
        try:
            await self._client.publish(self._channel, _encoder.encode(event))
        except (redis.ConnectionError, redis.TimeoutError) as error:
            # Every pooled connection went with the server: none may fail once more later.
            await self._client.connection_pool.disconnect()
            raise BusUnavailableError(str(error)) from error

    async def _read(self) -> None:
        await supervise(
            "market-data bus reader",
            self._listen,
            transient=(redis.ConnectionError, redis.TimeoutError),
        )

    async def _listen(self, working: Callable[[], None]) -> None:
        pubsub = self._client.pubsub(ignore_subscribe_messages=True)
        try:
            await pubsub.subscribe(self._channel)
            working()
            self._ready.set()
            async for message in pubsub.listen():
                self._deliver_raw(message)
        except (redis.ConnectionError, redis.TimeoutError):
            await self._client.connection_pool.disconnect()  # none stale for the next try
            raise
        finally:
            await pubsub.aclose()  # type: ignore[no-untyped-call]

    def _deliver_raw(self, message: dict[str, Any]) -> None:
        try:
            event = _decoder.decode(message["data"])
        except msgspec.DecodeError:
            logger.warning("dropped an undecodable market-data message")
            return
        self.deliver(event)


def encode_event(event: Event) -> bytes:
    """The event as JSON bytes, decimals as strings."""
    return _encoder.encode(event)
