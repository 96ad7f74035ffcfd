"""The engine as this process sees it: a host it runs itself, or the engine process over Redis.

- Embedded (``PAPEREX_RUN_ENGINE=true``, the default): the ASGI lifespan calls ``start`` after
  market data started; the host runs here, takes reference market data from ``runtime.bus``
  and publishes its messages to the channel layer from this process's event loop.
- Production: ``run_engine_process()`` (wired as ``paperex engine``) runs the host and a
  ``RedisCommandServer``; web processes (``PAPEREX_RUN_ENGINE=false``) send commands with a
  ``RedisEngineClient``.

``execute``/``execute_sync`` send a command to whichever applies and return the EngineReply, or
raise EngineUnavailableError (a 503 for the API).
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Iterable
from typing import Any

from channels.layers import get_channel_layer
from django.conf import settings

from paperex.apps.markets.runtime import runtime
from paperex.apps.trading.host import EngineHost
from paperex.apps.trading.messages import Message
from paperex.apps.trading.protocol import EngineReply, EngineUnavailableError
from paperex.apps.trading.transport import RedisCommandServer, RedisEngineClient
from paperex.domain import MarketMode
from paperex.domain.commands import EngineCommand
from paperex.engine import reference_book_command, reference_trade_command
from paperex.marketdata.bus import MarketDataBus
from paperex.marketdata.events import BookDelta, BookSnapshot, Trade
from paperex.support.async_tasks import cancel_and_wait

logger = logging.getLogger(__name__)
PUBLISH_QUEUE_LIMIT = 10_000
"""Batches of messages waiting for the channel layer; beyond it the oldest are dropped."""
STOP_SECONDS = 5.0


class ChannelPublisher:
    """Sends the host's messages to the channel layer from an event loop, in order.

    The host calls ``publish`` from its writer thread after a commit; sending happens on the
    loop, so a slow channel layer never holds up order entry.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._queue: asyncio.Queue[list[Message] | None] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self.dropped = 0

    def start(self) -> None:
        self._task = self._loop.create_task(self._send_forever(), name="engine-publisher")

    async def stop(self) -> None:
        """Send what is queued (for up to ``STOP_SECONDS``), then stop.

        Ends with a marker rather than a cancel alone: the channel layer's ``group_send`` may
        swallow a cancellation, and the task would then wait on its queue for ever.
        """
        if self._task is None:
            return
        task, self._task = self._task, None
        self._queue.put_nowait(None)
        await asyncio.wait({task}, timeout=STOP_SECONDS)
        if not task.done():
            task.cancel()
            await asyncio.wait({task}, timeout=STOP_SECONDS)

    def publish(self, messages: list[Message]) -> None:
        """Thread-safe: queue one committed batch's messages."""
        self._loop.call_soon_threadsafe(self._offer, messages)

    def _offer(self, messages: list[Message]) -> None:
        if self._queue.qsize() >= PUBLISH_QUEUE_LIMIT:
            self._queue.get_nowait()
            self.dropped += 1
        self._queue.put_nowait(messages)

    async def _send_forever(self) -> None:
        layer = get_channel_layer()
        while (messages := await self._queue.get()) is not None:
            for group, message in messages:
                try:
                    await layer.group_send(group, message)
                except Exception:
                    logger.exception("could not publish to %s", group)


class ReferenceFeed:
    """Turns the bus's trades and books of PAPER markets into reference commands for the host."""

    def __init__(self, host: EngineHost, bus: MarketDataBus) -> None:
        self._host = host
        self._bus = bus
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        catalog = self._host.catalog
        assert catalog is not None
        instruments = {
            symbol: market.spec.instrument
            for symbol, market in catalog.markets.items()
            if market.spec.mode is MarketMode.PAPER
        }
        if not instruments:
            return
        subscription = self._bus.subscribe(
            kinds={"trade", "book_snapshot", "book_delta"}, symbols=instruments, maxsize=100_000
        )
        self._task = asyncio.create_task(
            self._follow(subscription, instruments), name="engine-reference-feed"
        )

    async def stop(self) -> None:
        await cancel_and_wait(self._task)
        self._task = None

    async def _follow(self, subscription: Any, instruments: dict[str, Any]) -> None:
        try:
            async for event in subscription:
                instrument = instruments[event.symbol]
                if isinstance(event, Trade):
                    command: EngineCommand = reference_trade_command(event, instrument)
                elif isinstance(event, BookSnapshot | BookDelta):
                    command = reference_book_command(
                        event, instrument, is_snapshot=isinstance(event, BookSnapshot)
                    )
                else:
                    continue
                self._host.submit_untracked(command)
        finally:
            subscription.close()


class TradingEngine:
    """This process's way to the engine (see the module docstring)."""

    def __init__(self) -> None:
        self.host: EngineHost | None = None
        self._publisher: ChannelPublisher | None = None
        self._reference: ReferenceFeed | None = None
        self._redis: RedisEngineClient | None = None

    @property
    def timeout(self) -> float:
        return float(settings.PAPEREX_ENGINE_TIMEOUT)

    async def start(self, *, max_batch: int = 2048) -> None:
        """Run a host in this process: rebuild it from the database, follow the feed."""
        self._publisher = ChannelPublisher(asyncio.get_running_loop())
        self._publisher.start()
        host = EngineHost(max_batch=max_batch, publish=self._publisher.publish)
        await asyncio.to_thread(host.start)
        self.host = host
        self._reference = ReferenceFeed(host, runtime.bus)
        self._reference.start()

    async def stop(self) -> None:
        """Stop following the feed, finish queued commands, stop publishing."""
        if self._reference is not None:
            await self._reference.stop()
            self._reference = None
        if self.host is not None:
            host, self.host = self.host, None
            await asyncio.to_thread(host.stop)
        if self._publisher is not None:
            await self._publisher.stop()
            self._publisher = None

    def attach(self, host: EngineHost | None) -> None:
        """Use a host started elsewhere in this process (tests), or none."""
        self.host = host

    async def execute(self, command: EngineCommand) -> EngineReply:
        """The committed reply to ``command``; raises EngineUnavailableError."""
        host = self.host
        if host is not None and host.running:
            future = host.submit(command, timeout=self.timeout)
            try:
                return await asyncio.wait_for(asyncio.wrap_future(future), self.timeout)
            except TimeoutError as timeout:
                raise EngineUnavailableError("the engine did not answer in time") from timeout
        return await self._remote().execute(command, timeout=self.timeout)

    def execute_sync(self, command: EngineCommand) -> EngineReply:
        """``execute`` for synchronous callers (never from the host's own writer thread)."""
        host = self.host
        if host is not None and host.running:
            future = host.submit(command, timeout=self.timeout)
            try:
                return future.result(self.timeout)
            except TimeoutError as timeout:
                raise EngineUnavailableError("the engine did not answer in time") from timeout
        return self._remote().execute_sync(command, timeout=self.timeout)

    def execute_many_sync(self, commands: Iterable[EngineCommand]) -> list[EngineReply]:
        """Several commands, sent together so they share a batch."""
        host = self.host
        if host is not None and host.running:
            futures = [host.submit(command, timeout=self.timeout) for command in commands]
            return [future.result(self.timeout) for future in futures]
        return [self.execute_sync(command) for command in commands]

    @property
    def reachable(self) -> bool:
        """Whether commands have somewhere to go (a host here, or Redis to the engine)."""
        return (self.host is not None and self.host.running) or self._uses_redis

    @property
    def _uses_redis(self) -> bool:
        return bool(settings.PAPEREX_REDIS_URL) and not settings.PAPEREX_RUN_ENGINE

    def _remote(self) -> RedisEngineClient:
        if not self._uses_redis:
            raise EngineUnavailableError("the matching engine is not running")
        if self._redis is None:
            self._redis = RedisEngineClient(str(settings.PAPEREX_REDIS_URL))
        return self._redis


trading_engine = TradingEngine()
"""This process's engine."""


def run_engine_process(*, max_batch: int = 2048) -> None:
    """``paperex engine``: run the host and serve commands from Redis until SIGINT/SIGTERM.

    Needs Django set up and REDIS_URL; follows market data from the Redis bus for paper fills.
    """
    url = settings.PAPEREX_REDIS_URL
    if not url:
        raise SystemExit("paperex engine needs REDIS_URL: the servers send it commands over Redis")
    asyncio.run(_serve_engine(url, max_batch))


async def _serve_engine(url: str, max_batch: int) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await runtime.start(run_feeds=False)
    engine = TradingEngine()
    await engine.start(max_batch=max_batch)
    assert engine.host is not None
    server = RedisCommandServer(url, engine.host, max_batch=max_batch)
    serving = asyncio.create_task(server.serve(), name="engine-commands")
    logger.info("engine ready: serving commands from Redis")
    print("engine ready", flush=True)
    try:
        await stop.wait()
    finally:
        await cancel_and_wait(serving)
        await server.close()
        await engine.stop()
        await runtime.stop()
