"""The journal as CSV rows, the same columns as the daily export's ``trades.csv``."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import QuerySet

from paperex.apps.core.amounts import format_amount
from paperex.apps.journal.models import JournalTrade

COLUMNS = (
    "id",
    "user",
    "ticker",
    "side",
    "price",
    "quantity",
    "fee",
    "fee_asset",
    "timestamp",
    "source",
    "order_id",
)
HEADER = ",".join(COLUMNS) + "\n"
CHUNK_ROWS = 2_000


def csv_lines(trades: QuerySet[JournalTrade], *, header: bool = True) -> Iterator[str]:
    """The header (unless told not to), then one line per trade, read from the database in
    chunks."""
    if header:
        yield HEADER
    rows = trades.values_list(
        "id",
        "user__username",
        "ticker",
        "side",
        "price",
        "quantity",
        "fee",
        "fee_asset",
        "executed_at",
        "source",
        "order_id",
    ).iterator(chunk_size=CHUNK_ROWS)
    for trade_id, user, ticker, side, price, quantity, fee, fee_asset, at, source, order in rows:
        yield (
            f"{trade_id},{user},{ticker},{side},{format_amount(price)},"
            f"{format_amount(quantity)},{'' if fee is None else format_amount(fee)},"
            f"{fee_asset},{at:%Y-%m-%dT%H:%M:%S.%fZ},{source},{'' if order is None else order}\n"
        )
