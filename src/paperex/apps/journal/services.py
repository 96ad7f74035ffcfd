"""Writes of the trade journal: manual trades, and copying the engine's fills into it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Max, QuerySet
from django.utils import timezone

from paperex.apps.core.errors import ErrorCode, PaperexError
from paperex.apps.journal.models import FillCopyMark, JournalTrade
from paperex.apps.trading.models import Fill

SYNC_BATCH = 5_000
EMPTY_OPTIONAL_FIELDS: dict[str, Any] = {"fee": None, "fee_asset": "", "notes": "", "tags": []}
"""What a PUT leaves in the optional fields it does not send (its time stays)."""


class ReadOnlyTradeError(PaperexError):
    """An exchange trade cannot be edited or deleted: HTTP 403."""

    status = 403

    def __init__(self, trade_id: int) -> None:
        super().__init__(
            ErrorCode.READ_ONLY,
            f"Trade {trade_id} was filled by the exchange and is read-only; only trades you"
            " entered yourself can be edited or deleted.",
        )


def journal_trade_create(
    *,
    user_id: int,
    ticker: str,
    side: str,
    price: Decimal,
    quantity: Decimal,
    fee: Decimal | None = None,
    fee_asset: str = "",
    timestamp: datetime | None = None,
    notes: str = "",
    tags: Sequence[str] = (),
) -> JournalTrade:
    """A new manual trade in the user's journal, at ``timestamp`` or now."""
    return JournalTrade.objects.create(
        user_id=user_id,
        ticker=ticker,
        side=side,
        price=price,
        quantity=quantity,
        fee=fee,
        fee_asset=fee_asset,
        executed_at=timestamp or timezone.now(),
        notes=notes,
        tags=list(tags),
        source=JournalTrade.Source.MANUAL,
    )


def journal_trade_update(
    *, trade: JournalTrade, replace: bool = False, **fields: Any
) -> JournalTrade:
    """``trade`` with ``fields`` changed (``timestamp`` sets its time); with ``replace`` the
    optional fields not given go back to empty (a PUT). Raises ReadOnlyTradeError for an
    exchange trade."""
    if trade.is_read_only:
        raise ReadOnlyTradeError(trade.pk)
    if replace:
        fields = {**EMPTY_OPTIONAL_FIELDS, "timestamp": trade.executed_at, **fields}
    if "timestamp" in fields:
        fields["executed_at"] = fields.pop("timestamp")
    for name, value in fields.items():
        setattr(trade, name, list(value) if name == "tags" else value)
    trade.save()
    return trade


def journal_trade_delete(*, trade: JournalTrade) -> None:
    """Remove ``trade``; raises ReadOnlyTradeError for an exchange trade."""
    if trade.is_read_only:
        raise ReadOnlyTradeError(trade.pk)
    trade.delete()


def journal_fills_sync(*, user_id: int | None = None) -> int:
    """Copy the fills not yet in the journal (of ``user_id``, or everyone's) as exchange trades;
    returns how many were copied.

    The engine host writes fills in one batch transaction after another, so fill ids grow in
    commit order, and both copies below take fills in id order: each user's copied fills are
    always the first of their fills. A user's copy therefore starts above the last fill of
    theirs in the journal, and the copy of everyone's above ``FillCopyMark`` (user copies only
    add to it). Two copies running at once are harmless: a fill's journal trade is unique.
    """
    if user_id is not None:
        copied = JournalTrade.objects.filter(user_id=user_id, source=JournalTrade.Source.EXCHANGE)
        last = copied.aggregate(last=Max("fill_id"))["last"] or 0
        return _copy(Fill.objects.filter(user_id=user_id, id__gt=last), on_batch=None)
    mark, _ = FillCopyMark.objects.get_or_create(pk=1)

    def advance(last_fill_id: int) -> None:
        FillCopyMark.objects.filter(pk=1, last_fill_id__lt=last_fill_id).update(
            last_fill_id=last_fill_id
        )

    return _copy(Fill.objects.filter(id__gt=mark.last_fill_id), on_batch=advance)


def _copy(fills: QuerySet[Fill], *, on_batch: Callable[[int], None] | None) -> int:
    rows = fills.order_by("id").values_list(
        "id",
        "user_id",
        "market__symbol",
        "side",
        "price",
        "quantity",
        "fee",
        "fee_asset__code",
        "executed_at",
        "order_id",
    )
    batch: list[JournalTrade] = []
    count = 0
    for (
        fill_id,
        owner,
        symbol,
        side,
        price,
        quantity,
        fee,
        fee_asset,
        executed_at,
        order_id,
    ) in rows.iterator(chunk_size=SYNC_BATCH):
        batch.append(
            JournalTrade(
                user_id=owner,
                ticker=symbol,
                side=side,
                price=price,
                quantity=quantity,
                fee=fee,
                fee_asset=fee_asset,
                executed_at=executed_at,
                source=JournalTrade.Source.EXCHANGE,
                order_id=order_id,
                fill_id=fill_id,
            )
        )
        if len(batch) == SYNC_BATCH:
            count += _insert(batch, on_batch)
    return count + _insert(batch, on_batch)


def _insert(batch: list[JournalTrade], on_batch: Callable[[int], None] | None) -> int:
    """Insert the batch's trades whose fill is not in the journal yet; returns how many."""
    if not batch:
        return 0
    fill_ids = [trade.fill_id for trade in batch if trade.fill_id is not None]
    present = set(
        JournalTrade.objects.filter(fill_id__in=fill_ids).values_list("fill_id", flat=True)
    )
    new = [trade for trade in batch if trade.fill_id not in present]
    JournalTrade.objects.bulk_create(new, ignore_conflicts=True)
    if on_batch is not None and batch[-1].fill_id is not None:
        on_batch(batch[-1].fill_id)  # the batch is in fill id order
    batch.clear()
    return len(new)
