"""``paperex engine``: the engine host in a process of its own, taking commands from Redis.

The server pops commands in bulk (BRPOP for the first, then RPOP with a count for whatever else
is queued, which feeds the host's group commit) and, once a command's batch has committed,
RPUSHes the ``EngineReply`` onto the caller's reply key (expiring after a minute). A command
whose deadline has passed is dropped: its caller has given up; one without a deadline always
runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Callable
from concurrent.futures import Future

import msgspec
import redis
import redis.asyncio as redis_async
from django.conf import settings

from paperex.apps.core.leadership import TRY_SECONDS, lead_while_running
from paperex.apps.marketdata.runtime import runtime
from paperex.apps.trading.gateway.gateway import EngineGateway
from paperex.apps.trading.host.host import EngineHost
from paperex.apps.trading.host.writer_lock import EngineLockedError, engine_lock_free
from paperex.apps.trading.protocol import (
    COMMANDS_KEY,
    REPLY_TTL_SECONDS,
    EngineReply,
    EngineUnavailableError,
    decode_envelope,
    encode,
)
from paperex.support.async_tasks import cancel_and_wait
from paperex.support.clock import wall_clock_ms
from paperex.support.supervision import supervise

logger = logging.getLogger(__name__)


class RedisCommandServer:
    """Feeds commands from Redis into a host and sends the replies back."""

    def __init__(self, url: str, host: EngineHost, *, max_batch: int = 2048) -> None:
        self._client = redis_async.Redis.from_url(url)
        self._host = host
        self._max_batch = max_batch
        self._replies: set[asyncio.Task[None]] = set()

    async def serve(self) -> None:
        """Pop and submit commands until cancelled, riding out Redis outages (see
        ``supervise``); raises what cannot be ridden out."""
        await supervise(
            "engine command consumer",
            self._pop_forever,
            transient=(redis.ConnectionError, redis.TimeoutError),
        )

    async def _pop_forever(self, working: Callable[[], None]) -> None:
        while True:
            try:
                first = await self._client.brpop([COMMANDS_KEY], timeout=1)
            except (redis.ConnectionError, redis.TimeoutError):
                # Every pooled connection went with the server, the replies' ones too.
                await self._client.connection_pool.disconnect()
                raise
            working()
            if first is None:
                continue
            raw = [first[1]]
            more = await self._client.rpop(COMMANDS_KEY, self._max_batch - 1)
            if more:
                raw.extend(more)  # type: ignore[arg-type]
            self._submit(raw)

    async def close(self) -> None:
        """Wait for the replies in flight, then close the connection."""
        if self._replies:
            await asyncio.wait(self._replies, timeout=5)
        await self._client.aclose()

    def _submit(self, raw: list[bytes | str]) -> None:
        now = wall_clock_ms()
        waiting: list[tuple[str, Future[EngineReply]]] = []
        for payload in raw:
            try:
                envelope = decode_envelope(payload)
            except msgspec.DecodeError:
                logger.warning("dropped an undecodable engine command")
                continue
            remaining = None
            if envelope.deadline_ms is not None:
                remaining = (envelope.deadline_ms - now) / 1000
                if remaining <= 0:
                    continue  # its caller has given up
            waiting.append(
                (
                    envelope.reply_to,
                    self._host.submit(
                        envelope.command,
                        timeout=remaining,
                        new_client_order_id=envelope.new_client_order_id,
                        request_id=envelope.request_id,
                        api_key_id=envelope.api_key_id,
                    ),
                )
            )
        if waiting:
            task = asyncio.create_task(self._reply(waiting))
            self._replies.add(task)
            task.add_done_callback(self._replies.discard)

    async def _reply(self, waiting: list[tuple[str, Future[EngineReply]]]) -> None:
        replies = []
        for reply_to, future in waiting:
            try:
                reply = await asyncio.wrap_future(future)
            except EngineUnavailableError as error:
                reply = EngineReply(error=str(error))
            replies.append((reply_to, encode(reply)))
        with contextlib.suppress(redis_async.RedisError):
            async with self._client.pipeline(transaction=False) as pipe:
                for reply_to, payload in replies:
                    pipe.rpush(reply_to, payload)
                    pipe.expire(reply_to, REPLY_TTL_SECONDS)
                await pipe.execute()


def run_engine_process(*, max_batch: int = 2048) -> None:
    """Lead or stand by, serving commands from Redis while leading, until SIGINT/SIGTERM.

    Needs Django set up and REDIS_URL; follows market data from the Redis bus for paper fills.
    """
    url = settings.PAPEREX_REDIS_URL
    if not url:
        raise SystemExit("paperex engine needs REDIS_URL: the servers send it commands over Redis")
    asyncio.run(_serve_engine(url, max_batch))


class EngineLead:
    """The engine's lead: its host holds the engine lock (``writer_lock``), which fences its
    writes; a standby takes over once the leader's lock is free, rebuilding from the database."""

    role = "engine"

    def __init__(self, url: str, max_batch: int) -> None:
        self._url = url
        self._max_batch = max_batch
        self._gateway: EngineGateway | None = None
        self._server: RedisCommandServer | None = None
        self._serving: asyncio.Task[None] | None = None
        self._deposed = False

    async def take(self) -> bool:
        if self._gateway is not None:  # deposed, not yet ended: another engine leads
            return False
        if not await asyncio.to_thread(engine_lock_free):
            return False
        loop = asyncio.get_running_loop()
        self._deposed = False
        gateway = EngineGateway()
        try:
            await gateway.start(
                max_batch=self._max_batch,
                lock_timeout=TRY_SECONDS,
                on_failure=lambda _error: self._depose_from(loop),
            )
        except EngineLockedError:  # another standby was quicker
            return False
        self._gateway = gateway
        return True

    def _depose_from(self, loop: asyncio.AbstractEventLoop) -> None:
        """The host's failure callback, from its writer thread: another engine took over."""
        loop.call_soon_threadsafe(self._depose)

    def _depose(self) -> None:
        self._deposed = True
        if self._serving is not None:
            self._serving.cancel()  # pop no more commands: the new leader takes them

    def valid(self) -> bool:
        return not self._deposed and (self._serving is None or not self._serving.done())

    async def begin(self) -> None:
        host = self._gateway.host if self._gateway is not None else None
        assert host is not None, "begin follows a successful take"
        self._server = RedisCommandServer(self._url, host, max_batch=self._max_batch)
        self._serving = asyncio.create_task(self._server.serve(), name="engine-commands")
        logger.info("engine ready: serving commands from Redis")
        print("engine ready", flush=True)

    async def end(self) -> None:
        serving, self._serving = self._serving, None
        failed = serving is not None and serving.done() and not serving.cancelled()
        await cancel_and_wait(serving)
        if self._server is not None:
            await self._server.close()
            self._server = None
        if self._gateway is not None:
            await self._gateway.stop()
            self._gateway = None
        if failed:
            # A consumer that ended on its own failed for good: the process exits with its
            # error rather than stay up taking no commands.
            assert serving is not None
            serving.result()

    def release(self) -> None:
        """The host released the lock as it stopped (``end``)."""


async def _serve_engine(url: str, max_batch: int) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await runtime.start(run_feeds=False)
    lead = EngineLead(url, max_batch)
    try:
        await lead_while_running(lead, stop, begin=lead.begin, end=lead.end)
    finally:
        await runtime.stop()
