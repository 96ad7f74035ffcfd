"""The per-day trade analysis, run here (the CLI, the background job, the API) with the same
code as the Lambda handler, or by that handler on AWS Lambda when PAPEREX_ANALYSIS_LAMBDA names
it: read the day's trades.csv, write analysis.csv and analysis.json beside it. Each run is a
JobRun row (``analyze-trades``, keyed by the day)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import Any

from django.conf import settings
from django.utils import timezone

from paperex.analysis.day import ANALYSIS_JSON, NoTradeDataError, analyze_day, save_analysis
from paperex.analysis.figures import analyze_trades_csv
from paperex.analysis.report import analysis_json
from paperex.analysis.storage import NotFoundError, StorageError, day_path
from paperex.analysis.trades_csv import TradesFileError
from paperex.apps.core.job_runs import job_run_finish, job_run_start
from paperex.apps.journal.analysis_answer import AnalysisAnswer
from paperex.apps.journal.csv_rows import csv_lines
from paperex.apps.journal.exports import ExportError, export_target
from paperex.apps.journal.job_names import ANALYZE_JOB
from paperex.apps.journal.lambda_invoke import lambda_analyze_day
from paperex.apps.journal.selectors import journal_trade_list


def trade_analysis_run(*, day: date) -> AnalysisAnswer:
    """Analyse ``day`` where the settings say: on Lambda, or here."""
    function_name = settings.PAPEREX_ANALYSIS_LAMBDA
    if function_name:
        return _recorded(day, lambda: lambda_analyze_day(function_name=function_name, day=day))
    return trades_analyze_day(day=day)


def trades_analyze_day(*, day: date, target_url: str | None = None) -> AnalysisAnswer:
    """Analyse ``day``'s trades.csv in the export target here and save the result beside it."""
    return _recorded(day, lambda: _analyze_here(day, target_url))


def _recorded(day: date, analyze: Callable[[], AnalysisAnswer]) -> AnalysisAnswer:
    run = job_run_start(name=ANALYZE_JOB, key=day.isoformat())
    answer = analyze()
    job_run_finish(run, ok=answer.status_code in (200, 404), message=answer.message)
    return answer


def _analyze_here(day: date, target_url: str | None) -> AnalysisAnswer:
    try:
        target = export_target(target_url)
        save_analysis(target, analyze_day(target, day))
    except NoTradeDataError as missing:
        return AnalysisAnswer(404, str(missing))
    except TradesFileError as error:
        return AnalysisAnswer(422, f"trades.csv of {day} is malformed: {error}")
    except (StorageError, ExportError) as error:
        return AnalysisAnswer(503, str(error))
    return AnalysisAnswer(200, f"Analysis saved for {day.isoformat()}")


def stored_analysis(*, day: date) -> dict[str, Any] | None:
    """The saved analysis.json of ``day``, or None when there is none; raises ExportError when
    the store cannot be read."""
    try:
        return dict(json.loads(export_target().read_bytes(day_path(day, ANALYSIS_JSON))))
    except NotFoundError:
        return None
    except StorageError as error:
        raise ExportError(str(error)) from None


def own_day_analysis(*, user_id: int, day: date) -> dict[str, Any] | None:
    """The analysis of the user's own trades of ``day``, computed now in the shape of
    analysis.json; None when they made none that day."""
    trades = journal_trade_list(user_id=user_id, start_date=day, end_date=day, ordering="timestamp")
    if not trades.exists():
        return None
    data = b"".join(csv_lines(trades))
    return dict(json.loads(analysis_json(day, timezone.now(), analyze_trades_csv(data))))
