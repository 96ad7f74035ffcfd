"""Rebuild balances from ledger entries alone."""

from __future__ import annotations

from collections.abc import Iterable

from paperex.domain.events import LedgerEntryRecorded
from paperex.domain.ledger import LedgerBucket
from paperex.domain.records import BalanceRecord


def balances_from_ledger(entries: Iterable[LedgerEntryRecorded]) -> list[BalanceRecord]:
    """The balances that ``entries`` produce from nothing, sorted by (user id, asset).

    EXTERNAL and REFERENCE sides have no balance and are skipped; balances that stay at zero in
    both buckets are still listed once touched.
    """
    totals: dict[tuple[int, str], list[int]] = {}
    for entry in entries:
        if entry.from_user_id is not None:
            _bucket_add(totals, entry.from_user_id, entry.asset, entry.from_bucket, -entry.amount)
        if entry.to_user_id is not None:
            _bucket_add(totals, entry.to_user_id, entry.asset, entry.to_bucket, entry.amount)
    return [
        BalanceRecord(user_id=user_id, asset=asset, free=free, locked=locked)
        for (user_id, asset), (free, locked) in sorted(totals.items())
    ]


def _bucket_add(
    totals: dict[tuple[int, str], list[int]],
    user_id: int,
    asset: str,
    bucket: LedgerBucket,
    amount: int,
) -> None:
    pair = totals.setdefault((user_id, asset), [0, 0])
    pair[0 if bucket is LedgerBucket.FREE else 1] += amount
