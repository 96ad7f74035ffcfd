"""The daily export of every user's trades to ``<target>/YYYY/MM/DD/trades.csv``.

The target is a folder or ``s3://BUCKET/PREFIX`` (``PAPEREX_EXPORT_TARGET``). Each run is a
JobRun row (``export-trades``, keyed by the day): a failure is recorded with its one-line
reason, and the file is either the whole new day or left as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date

from django.conf import settings

from paperex.analysis.day import TRADES_FILE
from paperex.analysis.storage import S3Settings, StorageError, Target, day_path, open_target
from paperex.apps.core.job_runs import job_run_finish, job_run_start
from paperex.apps.journal.day_export import day_csv_chunks, day_trade_count
from paperex.apps.journal.job_names import EXPORT_JOB
from paperex.apps.journal.services import journal_fills_sync

RowsWritten = Callable[[int, int], None]
"""Told (rows written so far, rows of the day) as the export goes."""


class ExportError(Exception):
    """The export could not be written; the text is one line saying why."""


@dataclass(frozen=True)
class DayExport:
    """What an export did: ``location`` is None when the day had no trades (nothing written)."""

    day: date
    rows: int
    location: str | None
    message: str


def export_target(url: str | None = None) -> Target:
    """The target ``url`` names (the configured one by default); raises ExportError."""
    access = settings.PAPEREX_S3
    try:
        return open_target(
            url or settings.PAPEREX_EXPORT_TARGET,
            S3Settings(
                endpoint_url=access.endpoint_url,
                region=access.region,
                access_key_id=access.access_key_id,
                secret_access_key=access.secret_access_key,
            ),
        )
    except StorageError as error:
        raise ExportError(str(error)) from None


def trades_export_day(
    *, day: date, target_url: str | None = None, on_rows: RowsWritten | None = None
) -> DayExport:
    """Write every user's trades of the UTC day ``day`` (fills copied in first) and record
    the run; raises ExportError (recorded as a failed run) when it cannot be written."""
    run = job_run_start(name=EXPORT_JOB, key=day.isoformat())
    try:
        target = export_target(target_url)
        journal_fills_sync()
        total = day_trade_count(day)
        if not total:
            outcome = DayExport(day, 0, None, f"No trades on {day}: nothing written.")
        else:
            relative = day_path(day, TRADES_FILE)
            rows = _RowCounter(total, on_rows)
            try:
                target.write_atomically(relative, rows.passing(day_csv_chunks(day)))
            except StorageError as error:
                raise ExportError(str(error)) from None
            location = target.describe(relative)
            outcome = DayExport(
                day, rows.written, location, f"Wrote {rows.written:,} trades to {location}."
            )
    except Exception as error:
        job_run_finish(run, ok=False, message=str(error) or type(error).__name__)
        raise
    job_run_finish(
        run,
        ok=True,
        message=outcome.message,
        details={"rows": outcome.rows, "location": outcome.location},
    )
    return outcome


class _RowCounter:
    """Counts the rows of CSV chunks (a header, then whole lines) as they pass."""

    def __init__(self, total: int, on_rows: RowsWritten | None) -> None:
        self.total = total
        self.on_rows = on_rows
        self.written = 0

    def passing(self, chunks: Iterable[bytes]) -> Iterator[bytes]:
        lines = 0
        for chunk in chunks:
            yield chunk
            lines += chunk.count(b"\n")
            self.written = max(lines - 1, 0)
            if self.on_rows is not None:
                self.on_rows(self.written, self.total)
