"""One day's analysis, end to end: read ``YYYY/MM/DD/trades.csv`` from a target, compute the
figures, write ``analysis.csv`` and ``analysis.json`` beside it. The Django task, the CLI and
the Lambda handler all call these two functions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from paperex.analysis.figures import TickerFigures, analyze_trades_csv
from paperex.analysis.report import analysis_csv, analysis_json
from paperex.analysis.storage import NotFoundError, StorageError, Target, day_path
from paperex.support.clock import ClockMs, wall_clock_ms

TRADES_FILE = "trades.csv"
ANALYSIS_CSV = "analysis.csv"
ANALYSIS_JSON = "analysis.json"


class NoTradeDataError(LookupError):
    """The day has no ``trades.csv``; the text is ``No trade data found for YYYY-MM-DD``."""

    def __init__(self, day: date) -> None:
        super().__init__(f"No trade data found for {day.isoformat()}")
        self.day = day


@dataclass(frozen=True)
class DayAnalysis:
    """The figures of one day: a row per ticker, sorted, then the TOTAL row."""

    day: date
    generated_at: datetime
    rows: tuple[TickerFigures, ...]


def analyze_day(target: Target, day: date, clock: ClockMs = wall_clock_ms) -> DayAnalysis:
    """The analysis of ``day``'s ``trades.csv`` in ``target``, stamped with ``clock``'s time.

    Raises NoTradeDataError when the day has no file, TradesFileError when it breaks the format,
    StorageError when the target cannot be read."""
    relative = day_path(day, TRADES_FILE)
    try:
        source = target.readable(relative)
    except NotFoundError:
        raise NoTradeDataError(day) from None
    generated_at = datetime.fromtimestamp(clock() / 1000, UTC)
    try:
        rows = analyze_trades_csv(source)
    except OSError as error:  # a local file that went away or became unreadable meanwhile
        raise StorageError(f"cannot read {target.describe(relative)}: {error}") from None
    return DayAnalysis(day, generated_at, rows)


def save_analysis(target: Target, analysis: DayAnalysis) -> tuple[str, str]:
    """Writes ``analysis.csv`` and ``analysis.json`` next to the day's ``trades.csv``, each
    atomically; returns where they are (see ``Target.describe``). Raises StorageError."""
    rows = analysis.rows
    written = []
    for name, content in (
        (ANALYSIS_CSV, analysis_csv(rows)),
        (ANALYSIS_JSON, analysis_json(analysis.day, analysis.generated_at, rows)),
    ):
        relative = day_path(analysis.day, name)
        target.write_atomically(relative, [content])
        written.append(target.describe(relative))
    return written[0], written[1]
