"""Reads of the trade journal."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from django.db.models import QuerySet

from paperex.apps.journal.models import JournalTrade

ORDERING_FIELDS = {
    "id": "id",
    "ticker": "ticker",
    "side": "side",
    "price": "price",
    "quantity": "quantity",
    "fee": "fee",
    "fee_asset": "fee_asset",
    "timestamp": "executed_at",
    "source": "source",
    "order_id": "order_id",
    "notes": "notes",
    "created_at": "created_at",
    "updated_at": "updated_at",
}
"""The columns a journal can be sorted by (API name -> model field)."""


def day_start(day: date) -> datetime:
    """Midnight UTC at the start of ``day``."""
    return datetime.combine(day, time.min, tzinfo=UTC)


def journal_trade_list(
    *,
    user_id: int | None,
    ticker: str | None = None,
    side: str | None = None,
    source: str | None = None,
    start_date: date | None = None,
    end_date: date | None = None,
    ordering: str = "-timestamp",
) -> QuerySet[JournalTrade]:
    """The trades of ``user_id`` (everyone's for None), filtered (the dates are UTC days,
    inclusive), in ``ordering``: an ORDERING_FIELDS name, ``-`` for descending, newest id last
    among equals."""
    trades = JournalTrade.objects.all()
    if user_id is not None:
        trades = trades.filter(user_id=user_id)
    if ticker:
        trades = trades.filter(ticker=ticker.upper())
    if side:
        trades = trades.filter(side=side.upper())
    if source:
        trades = trades.filter(source=source)
    if start_date is not None:
        trades = trades.filter(executed_at__gte=day_start(start_date))
    if end_date is not None:
        trades = trades.filter(executed_at__lt=day_start(end_date + timedelta(days=1)))
    descending, name = ordering.startswith("-"), ordering.lstrip("-")
    field = ORDERING_FIELDS[name]
    return trades.order_by(f"-{field}" if descending else field, "-id" if descending else "id")


def journal_trade_get(*, user_id: int, trade_id: int) -> JournalTrade:
    """One of the user's trades; raises JournalTrade.DoesNotExist (also for another's)."""
    return JournalTrade.objects.get(user_id=user_id, pk=trade_id)
