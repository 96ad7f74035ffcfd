"""Write one batch of engine events to the database in one transaction (group commit).

The one write path to the engine's tables, used by the host (``host.py``) and, while no host
runs, by the offline writer (``offline_writer.py``): the events of every command in the batch
become order, trade, fill, ledger and balance rows, and the per-market sequences advance,
atomically. An order's row is its record after the domain fold (``OpenOrder.apply``) mapped to
columns, so the rows follow the engine's order state machine and nothing else. Nothing is
published here; the host publishes once the transaction has committed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from django.db import connection, models, transaction

from paperex.apps.trading.catalog import Catalog, engine_time
from paperex.apps.trading.host.recovery import open_order_record
from paperex.apps.trading.models import (
    Balance,
    Fill,
    LedgerEntry,
    MarketSequence,
    Order,
    Trade,
)
from paperex.domain import OpenOrder, OrderStatus, Side
from paperex.domain.commands import EngineCommand
from paperex.domain.events import (
    BalanceChanged,
    Event,
    LedgerEntryRecorded,
    OrderAccepted,
    OrderChange,
    OrderFilled,
    TradeExecuted,
)
from paperex.domain.ledger import LedgerBucket

_Row = TypeVar("_Row", bound=models.Model)
ORDER_UPDATE_FIELDS = [
    "price",
    "quantity",
    "executed_quantity",
    "cumulative_quote",
    "status",
    "status_reason",
    "locked",
    "priority",
    "queue_ahead",
    "triggered",
    "updated_at",
]


@dataclass
class BatchRecord:
    """What a batch wrote, for the replies and the messages sent after commit."""

    orders_per_command: list[list[Order]] = field(default_factory=list)
    """Per command, the orders it created or changed, in the order they were first touched."""
    trades: list[Trade] = field(default_factory=list)
    fills: list[Fill] = field(default_factory=list)
    balances: dict[tuple[int, str], tuple[int, int]] = field(default_factory=dict)
    """(user id, asset) -> (free, locked) in units, the last value of each touched balance."""
    created_order_ids: set[int] = field(default_factory=set)
    """The orders the batch accepted (the others it touched existed before)."""
    transfers: list[LedgerEntry] = field(default_factory=list)
    """The entries that moved money between a user and the world outside (deposits,
    withdrawals, resets), in order."""


@dataclass
class _Rows:
    created: dict[int, Order] = field(default_factory=dict)
    changed: dict[int, Order] = field(default_factory=dict)
    records: dict[int, OpenOrder] = field(default_factory=dict)
    """Each touched order's record after the batch's events so far (the domain fold)."""
    entries: list[LedgerEntry] = field(default_factory=list)


def batch_write(
    *,
    catalog: Catalog,
    results: Sequence[tuple[EngineCommand, list[Event]]],
    open_orders: dict[int, Order],
    trade_sequences: dict[str, int],
    book_sequences: dict[str, int],
    books_changed: set[str],
) -> BatchRecord:
    """Write the events of ``results`` in one transaction and return what was written.

    ``open_orders`` (the host's rows of open orders) is updated in place: new orders are added,
    orders that closed are removed. ``trade_sequences`` (per symbol) advances with each trade;
    ``book_sequences`` are the host's book sequences, advanced for ``books_changed``. On an
    exception nothing is written and the caller must rebuild its state from the database.
    """
    record = BatchRecord()
    rows = _Rows()
    for _command, events in results:
        touched: dict[int, Order] = {}
        for event in events:
            _apply(event, catalog, open_orders, rows, record, touched, trade_sequences)
        record.orders_per_command.append(list(touched.values()))
    touched_sequences = set(books_changed)
    touched_sequences.update(catalog.market_symbols[trade.market_id] for trade in record.trades)
    with transaction.atomic():
        if rows.created:
            _insert(Order, list(rows.created.values()))
        changed = [
            order for order_id, order in rows.changed.items() if order_id not in rows.created
        ]
        if changed:
            Order.objects.bulk_update(changed, ORDER_UPDATE_FIELDS)
        if record.trades:
            _insert(Trade, record.trades)
        if record.fills:
            Fill.objects.bulk_create(record.fills)
        if rows.entries:
            _insert(LedgerEntry, rows.entries)
        if record.balances:
            _balances_write(catalog, record.balances)
        if touched_sequences:
            _sequences_write(catalog, touched_sequences, trade_sequences, book_sequences)
    record.created_order_ids = set(rows.created)
    for order in [*rows.created.values(), *rows.changed.values()]:
        if OrderStatus(order.status).is_open:
            open_orders[order.id] = order
        else:
            open_orders.pop(order.id, None)
    return record


def _insert(model: type[_Row], objects: list[_Row]) -> None:
    """Insert rows whose primary keys are set (the engine numbers orders, trades and ledger
    entries): with COPY on PostgreSQL, which takes about a third of ``bulk_create``'s time
    (most of it Django building the statement), else with ``bulk_create``."""
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objects)  # type: ignore[attr-defined]
        return
    fields = model._meta.concrete_fields
    columns = ", ".join(connection.ops.quote_name(str(field.column)) for field in fields)
    names = [field.attname for field in fields]
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(
            f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN"
        ) as copy,
    ):
        for row in objects:
            copy.write_row([getattr(row, name) for name in names])


def _apply(
    event: Event,
    catalog: Catalog,
    open_orders: dict[int, Order],
    rows: _Rows,
    record: BatchRecord,
    touched: dict[int, Order],
    trade_sequences: dict[str, int],
) -> None:
    if isinstance(event, LedgerEntryRecorded):
        entry = LedgerEntry(
            id=event.entry_id,
            asset_id=catalog.asset_ids[event.asset],
            amount=catalog.amount(event.asset, event.amount),
            from_user_id=event.from_user_id,
            from_bucket=event.from_bucket,
            to_user_id=event.to_user_id,
            to_bucket=event.to_bucket,
            reason=event.reason,
            order_id=event.order_id,
            trade_id=event.trade_id,
            recorded_at=engine_time(event.timestamp),
        )
        rows.entries.append(entry)
        if LedgerBucket.EXTERNAL in (event.from_bucket, event.to_bucket):
            record.transfers.append(entry)
    elif isinstance(event, BalanceChanged):
        record.balances[(event.user_id, event.asset)] = (event.free, event.locked)
    elif isinstance(event, TradeExecuted):
        record.trades.append(_trade_row(event, catalog, trade_sequences))
    elif isinstance(event, OrderAccepted):
        order_record = OpenOrder.accepted(event)
        order = _order_created(order_record, catalog)
        _order_write(order, order_record, catalog, event.timestamp)
        rows.created[order.id] = order
        rows.records[order.id] = order_record
        touched[order.id] = order
    elif isinstance(event, OrderChange):
        order_id = event.order_id
        order = rows.created.get(order_id) or rows.changed.get(order_id) or open_orders[order_id]
        before = rows.records.get(order_id) or open_order_record(order, catalog)
        order_record = before.apply(event)  # OrderTransitionError: an engine bug, fail the batch
        _order_write(order, order_record, catalog, event.timestamp)
        rows.records[order_id] = order_record
        if order_id not in rows.created:
            rows.changed[order_id] = order
        touched[order_id] = order
        if isinstance(event, OrderFilled):
            record.fills.append(_fill_row(event, catalog))
    # Rejections change nothing.


def _order_created(order_record: OpenOrder, catalog: Catalog) -> Order:
    """A new row with what never changes about the order; ``_order_write`` adds the rest."""
    market = catalog.markets[order_record.symbol]
    return Order(
        id=order_record.order_id,
        user_id=order_record.user_id,
        market_id=market.market_id,
        client_order_id=order_record.client_order_id,
        side=order_record.side.value,
        type=order_record.order_type.value,
        time_in_force=order_record.time_in_force.value,
        stop_price=(
            None if order_record.stop_price is None else market.price(order_record.stop_price)
        ),
        quote_amount=(
            None
            if order_record.quote_amount is None
            else catalog.amount(market.quote.code, order_record.quote_amount)
        ),
        self_trade_prevention=order_record.self_trade_prevention.value,
        created_at=engine_time(order_record.created_at),
    )


def _order_write(order: Order, order_record: OpenOrder, catalog: Catalog, timestamp: int) -> None:
    """Set the row's changing columns from the order's record after an event at ``timestamp``."""
    market = catalog.markets[order_record.symbol]
    lock_asset = market.quote.code if order_record.side is Side.BUY else market.base.code
    order.price = None if order_record.price is None else market.price(order_record.price)
    order.quantity = market.quantity(order_record.quantity)
    order.executed_quantity = market.quantity(order_record.filled)
    order.cumulative_quote = catalog.amount(market.quote.code, order_record.executed_quote)
    order.locked = catalog.amount(lock_asset, order_record.locked)
    order.status = order_record.status.value
    if order_record.expiry_reason is not None:
        order.status_reason = order_record.expiry_reason.value
    order.priority = order_record.priority
    order.queue_ahead = order_record.queue_ahead
    order.triggered = order_record.triggered
    order.updated_at = engine_time(timestamp)


def _trade_row(event: TradeExecuted, catalog: Catalog, trade_sequences: dict[str, int]) -> Trade:
    market = catalog.markets[event.symbol]
    sequence = trade_sequences.get(event.symbol, 0) + 1
    trade_sequences[event.symbol] = sequence
    return Trade(
        id=event.trade_id,
        market_id=market.market_id,
        sequence=sequence,
        price=market.price(event.price),
        quantity=market.quantity(event.quantity),
        quote_quantity=catalog.amount(market.quote.code, event.quote_quantity),
        taker_side=event.taker_side.value,
        taker_order_id=event.taker_order_id,
        maker_order_id=event.maker_order_id,
        is_reference=event.is_reference,
        executed_at=engine_time(event.timestamp),
    )


def _fill_row(event: OrderFilled, catalog: Catalog) -> Fill:
    market = catalog.markets[event.symbol]
    return Fill(
        order_id=event.order_id,
        trade_id=event.trade_id,
        user_id=event.user_id,
        market_id=market.market_id,
        side=event.side.value,
        price=market.price(event.price),
        quantity=market.quantity(event.quantity),
        quote_quantity=catalog.amount(market.quote.code, event.quote_quantity),
        fee=catalog.amount(event.fee_asset, event.fee),
        fee_asset_id=catalog.asset_ids[event.fee_asset],
        liquidity=event.liquidity.value,
        is_reference=event.is_reference,
        executed_at=engine_time(event.timestamp),
    )


def _balances_write(catalog: Catalog, balances: dict[tuple[int, str], tuple[int, int]]) -> None:
    Balance.objects.bulk_create(
        [
            Balance(
                user_id=user_id,
                asset_id=catalog.asset_ids[asset],
                free=catalog.amount(asset, free),
                locked=catalog.amount(asset, locked),
            )
            for (user_id, asset), (free, locked) in balances.items()
        ],
        update_conflicts=True,
        unique_fields=["user", "asset"],
        update_fields=["free", "locked"],
    )


def _sequences_write(
    catalog: Catalog,
    symbols: set[str],
    trade_sequences: dict[str, int],
    book_sequences: dict[str, int],
) -> None:
    MarketSequence.objects.bulk_create(
        [
            MarketSequence(
                market_id=catalog.markets[symbol].market_id,
                trades=trade_sequences.get(symbol, 0),
                book=book_sequences.get(symbol, 0),
            )
            for symbol in sorted(symbols)
        ],
        update_conflicts=True,
        unique_fields=["market"],
        update_fields=["trades", "book"],
    )
