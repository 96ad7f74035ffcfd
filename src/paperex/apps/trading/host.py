"""The durable engine host: the single writer of orders, trades, fills, ledger and balances.

One host runs per database (``EngineLock``), in the server process (embedded, started on
lifespan) or in the ``paperex engine`` process (production, commands over Redis; see
``run_engine_process``). It owns a ``MatchingEngine`` for every market and one writer thread
(Django's ORM is synchronous, so the thread that owns the engine also owns the DB connection).

Group commit: the writer takes every command that queued up while the previous batch was being
committed (up to ``max_batch``), runs them through the engine, and writes all their events in
ONE transaction; only then are the callers' futures resolved and the channel messages handed to
the publisher. So an acknowledged command is durable, and nothing is published that was not.

Recovery: on start (and after a failed commit) the engine is rebuilt from the database: open
orders, balances, the id counters (max id + 1) and the last trade prices. Commands whose batch
did not commit were never acknowledged; their callers get a timeout or an error and may retry
(placing is idempotent by client order id).

Idempotency: a PlaceOrder whose (user, client order id) already exists, in the database or
earlier in the same batch, is not processed again: the reply names the existing order.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from dataclasses import dataclass

from django.db import close_old_connections, connection, transaction

from paperex.apps.trading.book_levels import BookLevels
from paperex.apps.trading.catalog import Catalog, catalog_load
from paperex.apps.trading.locking import EngineLock
from paperex.apps.trading.messages import BookLevelsChange, Message, batch_messages
from paperex.apps.trading.models import Order
from paperex.apps.trading.payloads import order_payload
from paperex.apps.trading.persistence import BatchRecord, batch_persist
from paperex.apps.trading.protocol import EngineReply, EngineUnavailableError
from paperex.apps.trading.recovery import RestoredState, engine_restore
from paperex.domain import RejectReason
from paperex.domain.commands import EngineCommand, PlaceOrder
from paperex.domain.events import (
    AmendRejected,
    CancelRejected,
    Event,
    OrderAccepted,
    OrderRejected,
    TransferRejected,
)
from paperex.support.clock import wall_clock_ms

logger = logging.getLogger(__name__)
_STOP = object()
Publisher = Callable[[list[Message]], None]


@dataclass(slots=True)
class _Pending:
    command: EngineCommand
    future: Future[EngineReply] | None
    deadline: float | None
    """time.monotonic() after which nobody waits for the answer: the command is dropped."""


class EngineHost:
    """The engine, its writer thread and its queue of commands; see the module docstring."""

    def __init__(
        self,
        *,
        max_batch: int = 2048,
        publish: Publisher | None = None,
        lock_timeout: float = 10.0,
    ) -> None:
        self.max_batch = max_batch
        self._publish = publish
        self._lock_timeout = lock_timeout
        self._queue: queue.SimpleQueue[_Pending | object] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = EngineLock()
        self._ready = threading.Event()
        self._start_error: BaseException | None = None
        self.catalog: Catalog | None = None
        self.state: RestoredState | None = None
        self._book: BookLevels | None = None
        self.batches = 0
        self.commands = 0

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive() and self._ready.is_set()

    def start(self) -> None:
        """Take the engine lock, rebuild the engine from the database, start the writer.

        Blocks until the engine is ready; raises EngineLockedError or the restore's error.
        """
        self._thread = threading.Thread(target=self._run, name="engine-writer", daemon=True)
        self._thread.start()
        self._ready.wait()
        if self._start_error is not None:
            self._thread.join()
            self._thread = None
            raise self._start_error

    def stop(self, timeout: float = 10.0) -> None:
        """Finish the queued commands, stop the writer and release the lock."""
        if self._thread is None:
            return
        self._queue.put(_STOP)
        self._thread.join(timeout)
        self._thread = None
        self._ready.clear()
        logger.info("engine stopped: %d commands in %d batches", self.commands, self.batches)

    def submit(
        self, command: EngineCommand, *, timeout: float | None = None
    ) -> Future[EngineReply]:
        """Queue ``command``; the future resolves once its effects are committed.

        With ``timeout`` the command is dropped (and the future fails) if it is still queued
        after that many seconds, so a caller that gave up never gets a late order.
        """
        future: Future[EngineReply] = Future()
        deadline = None if timeout is None else time.monotonic() + timeout
        self._queue.put(_Pending(command, future, deadline))
        return future

    def submit_untracked(self, command: EngineCommand) -> None:
        """Queue a command nobody waits for (reference market data)."""
        self._queue.put(_Pending(command, None, None))

    # ----------------------------------------------------------------- writer thread

    def _run(self) -> None:
        try:
            self._lock.acquire(timeout=self._lock_timeout)
            self._restore()
        except BaseException as error:
            self._start_error = error
            self._lock.release()
            self._ready.set()
            return
        self._ready.set()
        try:
            stopping = False
            while not stopping:
                item = self._queue.get()
                if item is _STOP:
                    break
                batch = [item]
                while len(batch) < self.max_batch:
                    try:
                        item = self._queue.get_nowait()
                    except queue.Empty:
                        break
                    if item is _STOP:
                        stopping = True
                        break
                    batch.append(item)
                pending = [item for item in batch if isinstance(item, _Pending)]
                try:
                    self._execute(pending)
                except Exception:
                    # A bug, not a database failure: answer everyone, rebuild, carry on.
                    logger.exception("engine batch failed")
                    for item in pending:
                        _fail(item, EngineUnavailableError("the engine failed on this command"))
                    self._restore()
        finally:
            connection.close()
            self._lock.release()

    def _restore(self) -> None:
        close_old_connections()
        # A write transaction: waits for a transaction that wrote without a host to commit.
        with transaction.atomic():
            self.catalog = catalog_load()
            self.state = engine_restore(catalog=self.catalog)
        self._book = BookLevels(self.state.engine)
        logger.info(
            "engine restored: %d open orders, %d markets",
            len(self.state.open_orders),
            len(self.catalog.markets),
        )

    def _execute(self, batch: list[_Pending]) -> None:
        assert self.state is not None
        assert self.catalog is not None
        now = time.monotonic()
        live: list[_Pending] = []
        for pending in batch:
            if pending.deadline is not None and now > pending.deadline:
                _fail(
                    pending, EngineUnavailableError("the engine did not take the command in time")
                )
            else:
                live.append(pending)
        if not live:
            return
        engine = self.state.engine
        existing = _existing_client_orders([pending.command for pending in live])
        results: list[tuple[EngineCommand, list[Event]]] = []
        processed: list[tuple[_Pending, int]] = []
        duplicates: list[tuple[_Pending, int]] = []
        touched_orders: dict[int, None] = {}
        for pending in live:
            command = pending.command
            key = _client_key(command)
            if key is not None and key in existing:
                duplicates.append((pending, existing[key]))
                continue
            events = engine.process(command)
            if key is not None:
                duplicate = _duplicate_rejection(events)
                if duplicate:
                    open_order = next(
                        order
                        for order in engine.open_orders(user_id=key[0])
                        if order.client_order_id == key[1]
                    )
                    duplicates.append((pending, open_order.order_id))
                    continue
            for event in events:
                if isinstance(event, OrderAccepted) and key is not None:
                    existing[key] = event.order_id
                order_id = getattr(event, "order_id", None)
                if order_id is not None:
                    touched_orders[order_id] = None
            processed.append((pending, len(results)))
            results.append((command, events))
        book_changes = self._book_changes(touched_orders)
        record = BatchRecord()
        if any(events for _, events in results) or book_changes:
            try:
                record = batch_persist(
                    catalog=self.catalog,
                    results=results,
                    open_orders=self.state.open_orders,
                    trade_sequences=self.state.trade_sequences,
                    book_sequences=self.state.book_sequences,
                    books_changed=set(book_changes),
                )
            except Exception:
                logger.exception("engine batch of %d commands failed to commit", len(live))
                error = EngineUnavailableError("the engine could not store the command")
                for pending in live:
                    _fail(pending, error)
                self._restore()
                return
        else:
            record.orders_per_command = [[] for _ in results]
        self.batches += 1
        self.commands += len(live)
        for pending, index in processed:
            if pending.future is not None:
                command, events = results[index]
                pending.future.set_result(
                    _reply(command, events, record.orders_per_command[index], self.catalog)
                )
        for pending, order_id in duplicates:
            if pending.future is not None:
                pending.future.set_result(EngineReply(duplicate_of=order_id))
        if self._publish is not None and (record.trades or record.balances or book_changes):
            self._publish(
                batch_messages(
                    catalog=self.catalog,
                    record=record,
                    book_changes=book_changes,
                    time=wall_clock_ms(),
                )
            )

    def _book_changes(self, order_ids: Iterable[int]) -> dict[str, tuple[int, BookLevelsChange]]:
        """The changed levels of each touched market's book, with its next book sequence."""
        assert self.state is not None
        assert self._book is not None
        changes: dict[str, tuple[int, BookLevelsChange]] = {}
        for symbol, levels in self._book.update(order_ids).items():
            sequence = self.state.book_sequences.get(symbol, 0) + 1
            self.state.book_sequences[symbol] = sequence
            changes[symbol] = (sequence, levels)
        return changes


def _client_key(command: EngineCommand) -> tuple[int, str] | None:
    if isinstance(command, PlaceOrder) and command.client_order_id:
        return command.user_id, command.client_order_id
    return None


def _existing_client_orders(commands: list[EngineCommand]) -> dict[tuple[int, str], int]:
    """(user id, client order id) -> order id for the batch's client ids already stored."""
    keys = {key for key in map(_client_key, commands) if key is not None}
    if not keys:
        return {}
    rows = Order.objects.filter(
        user_id__in={user for user, _ in keys}, client_order_id__in={cid for _, cid in keys}
    ).values_list("user_id", "client_order_id", "id")
    return {(user, cid): order_id for user, cid, order_id in rows if (user, cid) in keys}


def _duplicate_rejection(events: list[Event]) -> bool:
    return any(
        isinstance(event, OrderRejected) and event.reason is RejectReason.DUPLICATE_CLIENT_ORDER_ID
        for event in events
    )


def _reply(
    command: EngineCommand, events: list[Event], orders: list[Order], catalog: Catalog
) -> EngineReply:
    for event in events:
        if isinstance(event, OrderRejected | CancelRejected | AmendRejected | TransferRejected):
            return EngineReply(rejection_reason=event.reason, rejection_message=event.message)
    user_id = getattr(command, "user_id", None)
    return EngineReply(
        orders=[
            order_payload(order, catalog.market_symbols[order.market_id])
            for order in orders
            if order.user_id == user_id
        ]
    )


def _fail(pending: _Pending, error: Exception) -> None:
    if pending.future is not None and not pending.future.done():
        pending.future.set_exception(error)
