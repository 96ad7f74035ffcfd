"""Background jobs of the trade journal: on a Celery worker with Redis, in-process embedded."""

from __future__ import annotations

from datetime import date
from typing import Any

from celery import shared_task

from paperex.apps.journal.analyses import trades_analyze_day
from paperex.apps.journal.schedule import daily_export


@shared_task(name="journal.export_trades_daily")
def export_trades_daily_task(day: str | None = None) -> int:
    """Export a day's trades (yesterday by default), then start their analysis."""
    return daily_export(day)


@shared_task(name="journal.analyze_trades")
def analyze_trades_task(day: str) -> dict[str, Any]:
    """Analyse a day's exported trades.csv; returns the handler's answer."""
    return trades_analyze_day(day=date.fromisoformat(day)).body()
