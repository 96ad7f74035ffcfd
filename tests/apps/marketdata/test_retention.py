from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from paperex.apps.core.retention import prune
from paperex.apps.marketdata.models import ReplaySession

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 10, 12, 30, tzinfo=UTC)
OLDEST_KEPT = NOW - timedelta(days=30)

Status = ReplaySession.Status


def replay(status: str, created_at: datetime) -> ReplaySession:
    session = ReplaySession.objects.create(file_name="day.jsonl.gz", status=status)
    ReplaySession.objects.filter(pk=session.pk).update(created_at=created_at)
    return session


def test_ended_replays_older_than_30_days_go() -> None:
    just_outside = OLDEST_KEPT - timedelta(microseconds=1)
    for status in (Status.FINISHED, Status.STOPPED, Status.FAILED):
        replay(status, just_outside)
    kept = replay(Status.FINISHED, OLDEST_KEPT)

    [pruned] = [item for item in prune(now=NOW) if item.name == "replay sessions"]

    assert pruned.rows == 3
    assert list(ReplaySession.objects.all()) == [kept]


def test_replays_that_have_not_ended_are_kept_however_old() -> None:
    for status in (Status.PENDING, Status.RUNNING):
        replay(status, NOW - timedelta(days=400))

    prune(now=NOW)

    assert ReplaySession.objects.count() == 2


def test_replays_are_kept_for_ever_when_the_setting_is_off(settings: Any) -> None:
    settings.PAPEREX_KEEP_REPLAYS = None
    replay(Status.FINISHED, NOW - timedelta(days=400))

    prune(now=NOW)

    assert ReplaySession.objects.count() == 1
