"""Commands over Redis, for when the engine host runs in its own process (``paperex engine``).

A caller LPUSHes a ``CommandEnvelope`` (msgspec JSON) onto ``paperex:engine:commands`` and
waits (BLPOP) on its own reply key; the engine pops commands in bulk (BRPOP for the first, then
RPOP with a count for whatever else is queued, which feeds the host's group commit), and once a
command's batch has committed RPUSHes the ``EngineReply`` onto the reply key (expiring after a
minute). An envelope carries a deadline: the engine drops a command nobody waits for any more,
so a caller that got a timeout never finds a late order it did not know about (with a client
order id it can simply retry). No answer within the timeout is EngineUnavailableError (503).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from concurrent.futures import Future

import msgspec
import redis
import redis.asyncio as redis_async

from paperex.apps.trading.host import EngineHost
from paperex.apps.trading.protocol import CommandEnvelope, EngineReply, EngineUnavailableError
from paperex.domain.commands import EngineCommand
from paperex.support.clock import wall_clock_ms

logger = logging.getLogger(__name__)
COMMANDS_KEY = "paperex:engine:commands"
REPLY_PREFIX = "paperex:engine:reply:"
REPLY_TTL_SECONDS = 60
_encode = msgspec.json.Encoder().encode
_decode_envelope = msgspec.json.Decoder(CommandEnvelope).decode
_decode_reply = msgspec.json.Decoder(EngineReply).decode


def _envelope(command: EngineCommand, timeout: float) -> tuple[str, bytes]:
    reply_to = REPLY_PREFIX + uuid.uuid4().hex
    envelope = CommandEnvelope(
        command=command, reply_to=reply_to, deadline_ms=wall_clock_ms() + int(timeout * 1000)
    )
    return reply_to, _encode(envelope)


def _answer(raw: bytes | str | None) -> EngineReply:
    if raw is None:
        raise EngineUnavailableError("no engine answered in time; is `paperex engine` running?")
    reply = _decode_reply(raw)
    if reply.error:
        raise EngineUnavailableError(reply.error)
    return reply


class RedisEngineClient:
    """Sends commands to the engine process and waits for the replies."""

    def __init__(self, url: str) -> None:
        self._url = url
        self._sync: redis.Redis | None = None
        self._async: dict[int, redis_async.Redis] = {}

    async def execute(self, command: EngineCommand, *, timeout: float) -> EngineReply:
        """The reply to ``command``; raises EngineUnavailableError after ``timeout`` s."""
        loop_id = id(asyncio.get_running_loop())
        client = self._async.get(loop_id)
        if client is None:
            client = self._async[loop_id] = redis_async.Redis.from_url(
                self._url, max_connections=512
            )
        reply_to, payload = _envelope(command, timeout)
        await client.lpush(COMMANDS_KEY, payload)
        answer = await client.blpop([reply_to], timeout=timeout)
        return _answer(None if answer is None else answer[1])

    def execute_sync(self, command: EngineCommand, *, timeout: float) -> EngineReply:
        """``execute`` for synchronous callers."""
        if self._sync is None:
            self._sync = redis.Redis.from_url(self._url)
        reply_to, payload = _envelope(command, timeout)
        self._sync.lpush(COMMANDS_KEY, payload)
        answer = self._sync.blpop([reply_to], timeout=timeout)
        return _answer(None if answer is None else answer[1])  # type: ignore[index,unused-ignore]


class RedisCommandServer:
    """Feeds commands from Redis into a host and sends the replies back."""

    def __init__(self, url: str, host: EngineHost, *, max_batch: int = 2048) -> None:
        self._client = redis_async.Redis.from_url(url)
        self._host = host
        self._max_batch = max_batch
        self._replies: set[asyncio.Task[None]] = set()

    async def serve(self) -> None:
        """Pop and submit commands until cancelled."""
        while True:
            first = await self._client.brpop([COMMANDS_KEY], timeout=1)
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
                envelope = _decode_envelope(payload)
            except msgspec.DecodeError:
                logger.warning("dropped an undecodable engine command")
                continue
            remaining = (envelope.deadline_ms - now) / 1000
            if remaining <= 0:
                continue  # its caller has given up
            waiting.append(
                (envelope.reply_to, self._host.submit(envelope.command, timeout=remaining))
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
            replies.append((reply_to, _encode(reply)))
        with contextlib.suppress(redis_async.RedisError):
            async with self._client.pipeline(transaction=False) as pipe:
                for reply_to, payload in replies:
                    pipe.rpush(reply_to, payload)
                    pipe.expire(reply_to, REPLY_TTL_SECONDS)
                await pipe.execute()
