"""Every user's trades of one UTC day as ``trades.csv`` bytes, streamed from the database.

PostgreSQL writes the CSV itself (``COPY ... TO STDOUT``), so a day of a million trades never
becomes Python objects; elsewhere the rows are read in chunks and formatted here, to the same
text (``csv_rows``).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.db import connection

from paperex.analysis.trades_csv import HEADER
from paperex.apps.journal.csv_rows import csv_lines
from paperex.apps.journal.models import JournalTrade
from paperex.apps.journal.selectors import day_start, journal_trade_list

CHUNK_BYTES = 1 << 20

_COPY_DAY = """
COPY (
    SELECT trade.id, owner.username, trade.ticker, trade.side,
           trim_scale(trade.price), trim_scale(trade.quantity), trim_scale(trade.fee),
           NULLIF(trade.fee_asset, ''),
           to_char(trade.executed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
           trade.source, trade.order_id
    FROM {trades} AS trade JOIN {users} AS owner ON owner.id = trade.user_id
    WHERE trade.executed_at >= %s AND trade.executed_at < %s
    ORDER BY trade.executed_at, trade.id
) TO STDOUT (FORMAT csv)
"""


def day_trade_count(day: date) -> int:
    """How many trades (of every user) the UTC day ``day`` holds."""
    return journal_trade_list(user_id=None, start_date=day, end_date=day).count()


def day_csv_chunks(day: date) -> Iterator[bytes]:
    """The header, then the day's trades in (time, id) order, in chunks of about a megabyte."""
    yield HEADER
    if connection.vendor == "postgresql":
        yield from _copied_rows(day)
        return
    pending: list[bytes] = []
    size = 0
    trades = journal_trade_list(user_id=None, start_date=day, end_date=day, ordering="timestamp")
    for line in csv_lines(trades, header=False):
        pending.append(line)
        size += len(line)
        if size >= CHUNK_BYTES:
            yield b"".join(pending)
            pending.clear()
            size = 0
    if pending:
        yield b"".join(pending)


def _copied_rows(day: date) -> Iterator[bytes]:
    statement = _COPY_DAY.format(
        trades=connection.ops.quote_name(JournalTrade._meta.db_table),
        users=connection.ops.quote_name(get_user_model()._meta.db_table),
    )
    start = day_start(day)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(statement, (start, start + timedelta(days=1))) as copy,
    ):
        pending = bytearray()
        for data in copy:
            pending += data
            if len(pending) >= CHUNK_BYTES:
                yield bytes(pending)
                pending.clear()
        if pending:
            yield bytes(pending)
