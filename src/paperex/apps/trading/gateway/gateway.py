"""How any process reaches the single writer: a host it runs itself, the engine process over
Redis, or, for funding while no host runs, the offline writer.

- Embedded (``PAPEREX_RUN_ENGINE=true``, the default): the ASGI lifespan calls ``start`` after
  market data started; the host runs here, follows reference market data on ``runtime.bus``
  and publishes its messages to the channel layer from this process's event loop.
- Production: ``paperex engine`` (``process.run_engine_process``) runs the host and serves
  commands from Redis; web processes (``PAPEREX_RUN_ENGINE=false``) send them with a
  ``RedisEngineClient``.

``execute``/``execute_sync`` send a command to whichever applies and return the EngineReply, or
raise EngineUnavailableError (a 503 for the API): the command did not run, or, as its subclass
EngineOutcomeUnknownError, it was sent but not answered in time, so it may have run. A command
the host has taken is never cancelled by a caller that stops waiting: it runs to its commit.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from concurrent.futures import Future

from django.conf import settings
from django.db import transaction

from paperex.apps.marketdata.runtime import runtime
from paperex.apps.trading.gateway.redis_client import RedisEngineClient
from paperex.apps.trading.host.host import EngineHost, FailureCallback
from paperex.apps.trading.host.offline_writer import funding_write_offline
from paperex.apps.trading.host.publication import ChannelPublisher, ReferenceFeed
from paperex.apps.trading.protocol import (
    EngineOutcomeUnknownError,
    EngineReply,
    EngineUnavailableError,
    Heartbeat,
)
from paperex.domain.commands import EngineCommand
from paperex.support.process_exit import exit_requested

ENGINE_ELSEWHERE = (
    "A running server holds the matching engine and this process cannot reach it (there is "
    "no Redis): stop the server first, or sign up on the web page or through the API."
)


class EngineGateway:
    """This process's way to the engine (see the module docstring)."""

    def __init__(self) -> None:
        self.host: EngineHost | None = None
        self._publisher: ChannelPublisher | None = None
        self._reference: ReferenceFeed | None = None
        self._redis: RedisEngineClient | None = None

    @property
    def timeout(self) -> float:
        return float(settings.PAPEREX_ENGINE_TIMEOUT)

    async def start(
        self,
        *,
        max_batch: int = 2048,
        lock_timeout: float = 10.0,
        on_failure: FailureCallback | None = None,
    ) -> None:
        """Run a host in this process: rebuild it from the database, follow the feed (which
        its PAPER markets wait for after the start: ``MarketSpec.requires_reference``).
        Raises EngineLockedError when another engine holds the lock after ``lock_timeout``.

        A host that stops for good (another engine took over its database) calls
        ``on_failure`` (from its writer thread); by default that ends the process, non-zero,
        rather than leave it up without a writer.
        """
        self._publisher = ChannelPublisher(asyncio.get_running_loop())
        self._publisher.start()
        host = EngineHost(
            max_batch=max_batch,
            publish=self._publisher.publish,
            lock_timeout=lock_timeout,
            reference_feed=True,
            on_failure=on_failure or (lambda _error: exit_requested()),
        )
        self._reference = ReferenceFeed(host.submit_untracked)
        self._reference.subscribe(runtime.bus)  # from now: the restore misses no book or trade
        try:
            await asyncio.to_thread(host.start)
        except BaseException:
            await self.stop()
            raise
        assert host.catalog is not None
        self._reference.follow(host.catalog)
        self.host = host

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

    async def execute(
        self,
        command: EngineCommand,
        *,
        new_client_order_id: bool = False,
        api_key_id: int | None = None,
    ) -> EngineReply:
        """The committed reply to ``command``; raises EngineUnavailableError (the command did
        not run) or EngineOutcomeUnknownError (sent, no answer in time).
        ``new_client_order_id``, ``api_key_id``: see ``EngineHost.submit``."""
        host = self.host
        if host is not None and host.running:
            future = host.submit(
                command,
                timeout=self.timeout,
                new_client_order_id=new_client_order_id,
                api_key_id=api_key_id,
            )
            return await _answer(future, self.timeout)
        return await self._remote().execute(
            command,
            timeout=self.timeout,
            new_client_order_id=new_client_order_id,
            api_key_id=api_key_id,
        )

    def execute_sync(self, command: EngineCommand) -> EngineReply:
        """``execute`` for synchronous callers (never from the host's own writer thread)."""
        host = self.host
        if host is not None and host.running:
            return _answer_sync(host.submit(command, timeout=self.timeout), self.timeout)
        return self._remote().execute_sync(command, timeout=self.timeout)

    def execute_or_accept_sync(self, command: EngineCommand) -> EngineReply | None:
        """``execute_sync`` for a command that must not fail for taking long: it is never
        dropped, and None means it was sent and not finished within the timeout (it runs to
        the end once the engine takes it)."""
        host = self.host
        try:
            if host is not None and host.running:
                return _answer_sync(host.submit(command), self.timeout)
            return self._remote().execute_sync(command, timeout=self.timeout, droppable=False)
        except EngineOutcomeUnknownError:
            return None

    def execute_many_sync(self, commands: Iterable[EngineCommand]) -> list[EngineReply]:
        """Several commands, sent together so they share a batch."""
        host = self.host
        if host is not None and host.running:
            futures = [host.submit(command, timeout=self.timeout) for command in commands]
            return [_answer_sync(future, self.timeout) for future in futures]
        return [self.execute_sync(command) for command in commands]

    def fund(self, *, user_id: int, commands: list[EngineCommand]) -> None:
        """Deposits or a reset for one user, as part of the caller's transaction.

        With no host anywhere, the offline writer stores them in that transaction; otherwise
        they go to the host once it has committed (the user's row must exist first). Raises
        ValueError when the engine refuses a transfer, EngineUnavailableError when a host runs
        that this process cannot reach.
        """
        with transaction.atomic():
            if funding_write_offline(user_id=user_id, commands=commands):
                return
            if not self.reachable:
                raise EngineUnavailableError(ENGINE_ELSEWHERE)
        transaction.on_commit(lambda: _check_funding(self.execute_many_sync(commands)))

    def heartbeat(self, *, timeout: float) -> EngineReply:
        """The engine's answer to a heartbeat sent the orders' way (an answer means an order
        would be taken now; it lists the markets still waiting for their reference market).
        Raises EngineUnavailableError, saying why, when none came within ``timeout`` s."""
        host = self.host
        try:
            if host is not None and host.running:
                return host.submit(Heartbeat(), timeout=timeout).result(timeout)
            return self._remote().execute_sync(Heartbeat(), timeout=timeout)
        except TimeoutError as error:
            raise EngineUnavailableError(
                f"the engine did not answer within {timeout:g} s"
            ) from error

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
        url = str(settings.PAPEREX_REDIS_URL)
        if self._redis is None or self._redis.url != url:
            self._redis = RedisEngineClient(url)
        return self._redis


NO_ANSWER = "the command was sent but the engine did not answer in time"


async def _answer(future: Future[EngineReply], timeout: float) -> EngineReply:
    """The host's reply, or EngineOutcomeUnknownError after ``timeout`` s. Waiting stops
    without cancelling ``future`` (as ``asyncio.wrap_future`` would): the host still resolves
    it, and a cancelled one would fail its answer."""
    loop = asyncio.get_running_loop()
    answer: asyncio.Future[EngineReply] = loop.create_future()
    future.add_done_callback(lambda done: _pass_on(loop, done, answer))
    try:
        async with asyncio.timeout(timeout):
            return await answer
    except TimeoutError:
        if answer.cancelled():
            raise EngineOutcomeUnknownError(NO_ANSWER) from None
        raise


def _pass_on(
    loop: asyncio.AbstractEventLoop, done: Future[EngineReply], answer: asyncio.Future[EngineReply]
) -> None:
    """Hands the host's reply over to the caller's loop, while that loop is open (``_settle``
    drops it there if the caller stopped waiting)."""
    if not loop.is_closed():
        loop.call_soon_threadsafe(_settle, done, answer)


def _settle(done: Future[EngineReply], answer: asyncio.Future[EngineReply]) -> None:
    if answer.done():
        return
    if done.cancelled():
        answer.cancel()
        return
    error = done.exception()
    if error is None:
        answer.set_result(done.result())
    else:
        answer.set_exception(error)


def _answer_sync(future: Future[EngineReply], timeout: float) -> EngineReply:
    """``_answer`` for synchronous callers."""
    try:
        return future.result(timeout)
    except TimeoutError as timeout_error:
        raise EngineOutcomeUnknownError(NO_ANSWER) from timeout_error


def _check_funding(replies: list[EngineReply]) -> None:
    for reply in replies:
        if reply.rejection_reason:
            raise ValueError(reply.rejection_message)


engine_gateway = EngineGateway()
"""This process's way to the engine."""
