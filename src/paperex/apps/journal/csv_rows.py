"""The journal as ``trades.csv`` lines (paperex.analysis.trades_csv: the daily export's format)."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import QuerySet

from paperex.analysis.trades_csv import HEADER, format_trade_row
from paperex.apps.journal.models import JournalTrade

CHUNK_ROWS = 2_000


def csv_lines(trades: QuerySet[JournalTrade], *, header: bool = True) -> Iterator[bytes]:
    """The header (unless told not to), then one line per trade, read from the database in
    chunks. Amounts are written without trailing zeros, as PostgreSQL's export writes them."""
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
        yield format_trade_row(
            id=trade_id,
            user=user,
            ticker=ticker,
            side=side,
            price=price.normalize(),
            quantity=quantity.normalize(),
            fee=None if fee is None else fee.normalize(),
            fee_asset=fee_asset,
            timestamp=at,
            source=source,
            order_id=order,
        )
