"""The callers' side of commands over Redis, for when the host runs in ``paperex engine``.

A caller LPUSHes a ``CommandEnvelope`` onto ``COMMANDS_KEY`` and waits (BLPOP) on its own reply
key. An envelope carries a deadline: the engine drops a command nobody waits for any more, so a
caller that got a timeout never finds a late order it did not know about (with a client order
id it can simply retry). A command that must not fail for taking long (cancelling all orders)
goes without a deadline and runs whenever the engine takes it.

What the caller learns: a Redis that refuses or drops the LPUSH is EngineUnavailableError (the
command was not sent); no reply within the timeout, or a connection lost while waiting for it,
is EngineOutcomeUnknownError (sent: the engine may have run it); a reply saying the engine
failed is EngineUnavailableError (it did not run).
"""

from __future__ import annotations

import asyncio

import redis
import redis.asyncio as redis_async

from paperex.apps.trading.protocol import (
    COMMANDS_KEY,
    REPLY_PREFIX,
    REPLY_TTL_SECONDS,
    CommandEnvelope,
    EngineOutcomeUnknownError,
    EngineReply,
    EngineUnavailableError,
    HostCommand,
    decode_reply,
    encode,
)
from paperex.support.clock import wall_clock_ms
from paperex.support.request_id import current as current_request_id
from paperex.support.unique_ids import ProcessIds

_REPLY_IDS = ProcessIds(tag_bytes=8)


def _envelope(
    command: HostCommand,
    timeout: float,
    *,
    droppable: bool,
    new_client_order_id: bool = False,
    api_key_id: int | None = None,
) -> tuple[str, bytes]:
    reply_to = REPLY_PREFIX + _REPLY_IDS.next_id()
    deadline_ms = wall_clock_ms() + int(timeout * 1000) if droppable else None
    envelope = CommandEnvelope(
        command=command,
        reply_to=reply_to,
        deadline_ms=deadline_ms,
        new_client_order_id=new_client_order_id,
        request_id=current_request_id.get(),
        api_key_id=api_key_id,
    )
    return reply_to, encode(envelope)


NO_ANSWER = "no engine answered in time; is `paperex engine` running?"


def _answer(raw: bytes | str | None) -> EngineReply:
    if raw is None:
        raise EngineOutcomeUnknownError(NO_ANSWER)
    reply = decode_reply(raw)
    if reply.error:
        raise EngineUnavailableError(reply.error)
    return reply


CONNECT_SECONDS = 2
"""How long a caller waits for a connection to Redis before the engine counts as away."""
READ_SECONDS = REPLY_TTL_SECONDS
"""The longest a read may wait: a reply never comes later than its key lives. (The client's
default, 5 s, would cut a wait for a longer ``timeout`` short.)"""


def _redis_away(error: redis.RedisError) -> EngineUnavailableError:
    return EngineUnavailableError(f"the engine cannot be reached: Redis is away ({error})")


def _reply_lost(error: redis.RedisError) -> EngineOutcomeUnknownError:
    return EngineOutcomeUnknownError(f"{NO_ANSWER} (Redis went away after the command: {error})")


class RedisEngineClient:
    """Sends commands to the engine process and waits for the replies.

    A Redis that is away is EngineUnavailableError before the command is sent and
    EngineOutcomeUnknownError after (see the module docstring); a retry with the same client
    order id never places an order twice.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self._sync: redis.Redis | None = None
        self._async: dict[int, redis_async.Redis] = {}

    async def execute(
        self,
        command: HostCommand,
        *,
        timeout: float,
        new_client_order_id: bool = False,
        api_key_id: int | None = None,
    ) -> EngineReply:
        """The reply to ``command``; raises EngineOutcomeUnknownError after ``timeout`` s."""
        loop_id = id(asyncio.get_running_loop())
        client = self._async.get(loop_id)
        if client is None:
            client = self._async[loop_id] = redis_async.Redis.from_url(
                self.url,
                max_connections=512,
                socket_connect_timeout=CONNECT_SECONDS,
                socket_timeout=READ_SECONDS,
            )
        reply_to, payload = _envelope(
            command,
            timeout,
            droppable=True,
            new_client_order_id=new_client_order_id,
            api_key_id=api_key_id,
        )
        try:
            await client.lpush(COMMANDS_KEY, payload)
        except redis.RedisError as error:
            raise _redis_away(error) from error
        try:
            answer = await client.blpop([reply_to], timeout=timeout)
        except redis.RedisError as error:
            raise _reply_lost(error) from error
        return _answer(None if answer is None else answer[1])

    def execute_sync(
        self, command: HostCommand, *, timeout: float, droppable: bool = True
    ) -> EngineReply:
        """``execute`` for synchronous callers; a command that is not ``droppable`` has no
        deadline and runs whenever the engine takes it."""
        if self._sync is None:
            self._sync = redis.Redis.from_url(
                self.url, socket_connect_timeout=CONNECT_SECONDS, socket_timeout=READ_SECONDS
            )
        reply_to, payload = _envelope(command, timeout, droppable=droppable)
        try:
            self._sync.lpush(COMMANDS_KEY, payload)
        except redis.RedisError as error:
            raise _redis_away(error) from error
        try:
            answer = self._sync.blpop([reply_to], timeout=timeout)
        except redis.RedisError as error:
            raise _reply_lost(error) from error
        return _answer(None if answer is None else answer[1])  # type: ignore[index,unused-ignore]
