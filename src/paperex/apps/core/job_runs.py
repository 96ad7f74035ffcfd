"""Recording background jobs' runs: each run is a JobRun row, ``running`` until it ends ``ok``
with what it did or ``failed`` with why, in one line."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from paperex.apps.core.models import JobRun


def job_run_start(*, name: str, key: str = "") -> JobRun:
    """A new run of job ``name`` for ``key``, recorded as running."""
    return JobRun.objects.create(name=name, key=key)


def job_run_finish(
    run: JobRun, *, ok: bool, message: str, details: dict[str, Any] | None = None
) -> JobRun:
    """Record the end of ``run``: ok or failed, with a one-line message."""
    run.status = JobRun.Status.OK if ok else JobRun.Status.FAILED
    run.message = message
    run.details = details or {}
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "message", "details", "finished_at"])
    return run


def job_run_succeeded(*, name: str, key: str) -> bool:
    """Whether a run of job ``name`` for ``key`` has ended ok."""
    return JobRun.objects.filter(name=name, key=key, status=JobRun.Status.OK).exists()
