"""Which equity snapshots thinning with age removes.

Snapshots are kept whole for ``PAPEREX_KEEP_EQUITY_FULL``, then one per user and UTC hour
until ``PAPEREX_KEEP_EQUITY_HOURLY``, then one per user and UTC day. The one kept is the
bucket's last: the equity the hour or day closed with, as a candle keeps its close, so a
thinned curve still ends each bucket where the full one did. A bucket is thinned only once
all of it is past the cutoff, so its last snapshot is final when it is chosen.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db.models import F, QuerySet, Window
from django.db.models.functions import RowNumber, Trunc

from paperex.apps.core.retention import PruneRule
from paperex.apps.equity.models import EquitySnapshot


def start_of_hour(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def start_of_day(moment: datetime) -> datetime:
    return start_of_hour(moment).replace(hour=0)


def all_but_last_per_bucket(
    bucket: str, *, before: datetime, since: datetime | None
) -> QuerySet[EquitySnapshot]:
    """Snapshots taken in [since, before) that are not their user's last of their ``bucket``
    ("hour" or "day")."""
    candidates = EquitySnapshot.objects.filter(taken_at__lt=before)
    if since is not None:
        candidates = candidates.filter(taken_at__gte=since)
    ranked = candidates.annotate(
        place=Window(
            RowNumber(),
            partition_by=[F("user_id"), Trunc("taken_at", bucket, tzinfo=UTC)],
            order_by=[F("taken_at").desc(), F("id").desc()],
        )
    )
    return ranked.filter(place__gt=1)


def _hourly_oldest(now: datetime, hourly: timedelta | None) -> datetime | None:
    """Where one-an-hour ends and one-a-day begins (None: it never does)."""
    return None if hourly is None else start_of_day(now - hourly)


def thinned_to_hours(now: datetime) -> QuerySet[EquitySnapshot] | None:
    full = settings.PAPEREX_KEEP_EQUITY_FULL
    if full is None:
        return None
    return all_but_last_per_bucket(
        "hour",
        before=start_of_hour(now - full),
        since=_hourly_oldest(now, settings.PAPEREX_KEEP_EQUITY_HOURLY),
    )


def thinned_to_days(now: datetime) -> QuerySet[EquitySnapshot] | None:
    hourly_oldest = _hourly_oldest(now, settings.PAPEREX_KEEP_EQUITY_HOURLY)
    if settings.PAPEREX_KEEP_EQUITY_FULL is None or hourly_oldest is None:
        return None
    return all_but_last_per_bucket("day", before=hourly_oldest, since=None)


def equity_rules() -> list[PruneRule]:
    return [
        PruneRule("equity snapshots, thinned to one an hour", thinned_to_hours),
        PruneRule("equity snapshots, thinned to one a day", thinned_to_days),
    ]
