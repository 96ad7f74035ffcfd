from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from paperex.apps.accounts.models import User
from paperex.apps.core.retention import prune
from paperex.apps.equity.models import EquitySnapshot
from tests.support.factories import UserFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 10, 12, 30, tzinfo=UTC)
FULL_CUTOFF = NOW - timedelta(hours=24)  # 2026-03-09 12:30
HOURLY_CUTOFF = NOW - timedelta(days=30)  # 2026-02-08 12:30; days before 2026-02-08 go daily


def at(day: int, hour: int, minute: int = 0, second: int = 0, micro: int = 0, month: int = 3):
    return datetime(2026, month, day, hour, minute, second, micro, tzinfo=UTC)


def snapshot(user: User, taken_at: datetime) -> None:
    EquitySnapshot.objects.create(user=user, taken_at=taken_at, equity=Decimal(1))


def kept(user: User) -> list[datetime]:
    return list(EquitySnapshot.objects.filter(user=user).values_list("taken_at", flat=True))


@pytest.fixture
def alice() -> User:
    return UserFactory(username="alice")


def test_the_last_24_hours_are_kept_whole(alice: User) -> None:
    moments = [FULL_CUTOFF + timedelta(microseconds=1), at(9, 12, 31), at(10, 12, 29), NOW]
    for moment in moments:
        snapshot(alice, moment)

    prune(now=NOW)

    assert kept(alice) == moments


def test_an_hour_past_24_hours_keeps_its_last_snapshot(alice: User) -> None:
    for moment in (at(9, 11, 0), at(9, 11, 30), at(9, 11, 59, 59, 999_999)):
        snapshot(alice, moment)

    prune(now=NOW)

    assert kept(alice) == [at(9, 11, 59, 59, 999_999)]


def test_the_hour_the_cutoff_falls_in_stays_whole_until_it_has_passed(alice: User) -> None:
    """12:00 and 12:10 are older than 24 hours, but their hour (12:00 to 13:00) is not yet."""
    for moment in (at(9, 12, 0), at(9, 12, 10), at(9, 12, 40)):
        snapshot(alice, moment)

    prune(now=NOW)
    assert kept(alice) == [at(9, 12, 0), at(9, 12, 10), at(9, 12, 40)]

    prune(now=at(10, 13, 0))
    assert kept(alice) == [at(9, 12, 40)]


def test_each_user_keeps_their_own_last_snapshot_of_the_hour(alice: User) -> None:
    bob = UserFactory(username="bob")
    snapshot(alice, at(9, 10, 5))
    snapshot(alice, at(9, 10, 50))
    snapshot(bob, at(9, 10, 20))

    prune(now=NOW)

    assert kept(alice) == [at(9, 10, 50)]
    assert kept(bob) == [at(9, 10, 20)]


def test_past_30_days_one_snapshot_a_day_is_kept(alice: User) -> None:
    older_day = [at(7, 0, 0, month=2), at(7, 10, 59, month=2), at(7, 23, 0, month=2)]
    hourly_day = [at(8, 1, 59, month=2), at(8, 2, 0, month=2), at(8, 3, 10, month=2)]
    for moment in [*older_day, *hourly_day, at(8, 3, 50, month=2)]:
        snapshot(alice, moment)

    prune(now=NOW)

    # 2026-02-07 is a whole day before the 30 days: its last; 2026-02-08 keeps one an hour.
    assert kept(alice) == [at(7, 23, 0, month=2), *hourly_day[:2], at(8, 3, 50, month=2)]


def test_a_dry_run_counts_both_thinnings_and_deletes_nothing(alice: User) -> None:
    for moment in (at(9, 1, 0), at(9, 1, 30), at(1, 1, 0, month=1), at(1, 2, 0, month=1)):
        snapshot(alice, moment)

    report = {item.name: item.rows for item in prune(dry_run=True, now=NOW)}

    assert report["equity snapshots, thinned to one an hour"] == 1
    assert report["equity snapshots, thinned to one a day"] == 1
    assert len(kept(alice)) == 4


def test_without_a_daily_stage_hours_are_kept_for_ever(alice: User, settings: Any) -> None:
    settings.PAPEREX_KEEP_EQUITY_HOURLY = None
    for moment in (at(1, 1, 0, month=1), at(1, 2, 0, month=1), at(1, 2, 30, month=1)):
        snapshot(alice, moment)

    prune(now=NOW)

    assert kept(alice) == [at(1, 1, 0, month=1), at(1, 2, 30, month=1)]


def test_every_snapshot_is_kept_when_full_resolution_is_kept_for_ever(
    alice: User, settings: Any
) -> None:
    settings.PAPEREX_KEEP_EQUITY_FULL = None
    for moment in (at(1, 1, 0, month=1), at(1, 1, 30, month=1)):
        snapshot(alice, moment)

    report = {item.name: item.rows for item in prune(now=NOW)}

    assert len(kept(alice)) == 2
    assert report["equity snapshots, thinned to one a day"] is None
