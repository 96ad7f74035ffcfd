"""Background jobs of the trade journal (on a Celery worker with Redis, in-process embedded):
the daily export of yesterday's trades after midnight UTC, then their analysis.

With Redis, Celery beat sends ``journal.export_trades_daily`` at 00:05 UTC (settings'
CELERY_BEAT_SCHEDULE). Embedded, the server checks every minute whether yesterday's export is
due (``daily_export_if_due``), so a server that was down at midnight catches up when it starts.
A failed export is retried an hour later.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta
from typing import Any

from celery import shared_task
from django.utils import timezone

from paperex.apps.core.models import JobRun
from paperex.apps.journal.job_names import EXPORT_JOB

logger = logging.getLogger(__name__)

# The export and the analysis load boto3 and polars (about a second): they are imported when a
# job runs, not by every process that starts Django (the server imports this module's schedule).

EXPORT_AFTER = time(0, 5)
"""The time of day (UTC) after which yesterday's export runs."""
RETRY_AFTER = timedelta(hours=1)


def daily_export(day_text: str | None = None) -> int:
    """Export a day (yesterday by default) and start its analysis when it had trades;
    returns the rows written. A failure is logged in one line (and recorded as a failed run)."""
    from paperex.apps.journal.exports import ExportError, trades_export_day

    day = (
        datetime.fromisoformat(day_text).date()
        if day_text
        else timezone.now().date() - timedelta(days=1)
    )
    try:
        export = trades_export_day(day=day)
    except ExportError as error:
        logger.error("daily export of %s failed: %s", day, error)
        return 0
    logger.info("daily export: %s", export.message)
    if export.rows:
        analyze_trades_task.delay(day.isoformat())
    return export.rows


def daily_export_if_due(now: datetime | None = None) -> bool:
    """Run yesterday's export when it is past EXPORT_AFTER, none has succeeded, and none was
    tried within RETRY_AFTER; returns whether it ran."""
    now = now or timezone.now()
    if now.time() < EXPORT_AFTER:
        return False
    day = now.date() - timedelta(days=1)
    runs = JobRun.objects.filter(name=EXPORT_JOB, key=day.isoformat())
    if runs.filter(status=JobRun.Status.OK).exists():
        return False
    if runs.filter(started_at__gt=now - RETRY_AFTER).exists():
        return False
    daily_export(day.isoformat())
    return True


@shared_task(name="journal.export_trades_daily")
def export_trades_daily_task(day: str | None = None) -> int:
    """Export a day's trades (yesterday by default), then start their analysis."""
    return daily_export(day)


@shared_task(name="journal.analyze_trades")
def analyze_trades_task(day: str) -> dict[str, Any]:
    """Analyse a day's exported trades.csv; returns the handler's answer."""
    from paperex.apps.journal.analyses import trades_analyze_day

    return trades_analyze_day(day=date.fromisoformat(day)).body()
