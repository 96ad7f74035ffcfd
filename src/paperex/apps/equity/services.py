"""Writes of equity snapshots: every user's once a minute (a periodic job), one user's after
their account is reset."""

from __future__ import annotations

from collections.abc import Collection
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from paperex.apps.core.amounts import AMOUNT_PLACES
from paperex.apps.equity.models import EquitySnapshot
from paperex.apps.equity.selectors import equities

AMOUNT_QUANTUM = Decimal(1).scaleb(-AMOUNT_PLACES)


def equity_snapshots_record(*, user_ids: Collection[int] | None = None) -> int:
    """Store the equity now of every user with a balance (or of ``user_ids``) whose equity is
    known; returns how many snapshots were stored."""
    taken_at = timezone.now()
    snapshots = [
        EquitySnapshot(user_id=user_id, taken_at=taken_at, equity=equity.quantize(AMOUNT_QUANTUM))
        for user_id, equity in equities(user_ids=user_ids).items()
    ]
    with transaction.atomic():
        EquitySnapshot.objects.bulk_create(snapshots, batch_size=1000)
    return len(snapshots)


def equity_snapshot_record_on_commit(*, user_id: int) -> None:
    """Store the user's equity once the current transaction commits (a failure is logged and
    does not reach the caller)."""
    transaction.on_commit(lambda: equity_snapshots_record(user_ids=[user_id]), robust=True)
