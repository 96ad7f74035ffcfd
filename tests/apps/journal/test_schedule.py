"""The daily export's schedule: beat's entry in production, the embedded check every minute."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from celery.schedules import crontab
from django.conf import settings

from paperex.apps.core.models import JobRun
from paperex.apps.journal.job_names import EXPORT_JOB
from paperex.apps.journal.tasks import daily_export_if_due
from paperex.config.celery import app
from tests.apps.journal.conftest import AddTrade

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def tasks_run_here(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tasks run as they are sent, in this process, Redis or not (a real worker's run is
    tests/integration/test_journal_jobs.py's)."""
    monkeypatch.setitem(app.conf, "task_always_eager", True)


def test_beat_sends_the_export_task_at_five_past_midnight_utc() -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["journal-daily-export"]
    assert entry["schedule"] == crontab(hour=0, minute=5)
    assert settings.CELERY_TIMEZONE == "UTC"
    app.loader.import_default_modules()
    assert entry["task"] in app.tasks


def test_beats_entry_exports_yesterday_and_analyses_it(
    folder_export: Path, add_trade: AddTrade
) -> None:
    yesterday = datetime.now(UTC).date() - timedelta(days=1)
    add_trade("alice", f"{yesterday}T12:00:00")
    entry = settings.CELERY_BEAT_SCHEDULE["journal-daily-export"]
    app.loader.import_default_modules()

    # As beat does: the task by name, no arguments.
    app.tasks[entry["task"]].apply_async()

    day_folder = folder_export / f"{yesterday:%Y/%m/%d}"
    assert sorted(p.name for p in day_folder.iterdir()) == [
        "analysis.csv",
        "analysis.json",
        "trades.csv",
    ]
    assert sorted(JobRun.objects.values_list("name", "status")) == [
        ("analyze-trades", "ok"),
        ("export-trades", "ok"),
    ]


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_embedded_the_export_runs_once_a_day_after_midnight(
    folder_export: Path, add_trade: AddTrade
) -> None:
    add_trade("alice", "2025-01-20T12:00:00")
    assert not daily_export_if_due(at("2025-01-21T00:04:59"))
    assert not folder_export.exists()
    assert daily_export_if_due(at("2025-01-21T00:05:00"))
    assert (folder_export / "2025/01/20/trades.csv").exists()
    assert (folder_export / "2025/01/20/analysis.json").exists()
    assert not daily_export_if_due(at("2025-01-21T09:00:00"))
    assert list(JobRun.objects.filter(name=EXPORT_JOB).values_list("key", flat=True)) == [
        "2025-01-20"
    ]


def test_embedded_a_failed_export_is_tried_again_an_hour_later(
    settings: Any, folder_export: Path, add_trade: AddTrade
) -> None:
    add_trade("alice", "2025-01-20T12:00:00")
    settings.PAPEREX_EXPORT_TARGET = "s3:///no-bucket"
    assert daily_export_if_due(at("2025-01-21T00:05:00"))
    JobRun.objects.update(started_at=at("2025-01-21T00:05:00"))  # the runs' clock is the wall's
    settings.PAPEREX_EXPORT_TARGET = str(folder_export)
    assert not daily_export_if_due(at("2025-01-21T00:30:00"))
    assert not (folder_export / "2025/01/20/trades.csv").exists()
    assert daily_export_if_due(at("2025-01-21T01:06:00"))
    assert (folder_export / "2025/01/20/trades.csv").exists()
    assert list(JobRun.objects.filter(name=EXPORT_JOB).values_list("status", flat=True)) == [
        "ok",
        "failed",
    ]
