"""Bars from a CSV file: a time column and a close column, with open, high, low and volume when
present.

Column names are trimmed and case-insensitive. Times are ISO 8601 dates or date-times (naive
means UTC, a zone or offset is converted to UTC, a space may stand for the ``T``) or epoch numbers
(seconds below 1e11, else milliseconds). Every problem is a ``BarsError`` naming the first bad
line (the header is line 1) and its column. The file is read as text by polars and converted
column by column, so a million rows take a fraction of a second; the per-line search runs only
once a column is known to be bad.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final, NoReturn

import numpy as np
import numpy.typing as npt
import polars as pl

from paperex.backtest.bars import Bars, BarsError, Floats, Times
from paperex.marketdata.aggregation.intervals import DAY, INTERVAL_MILLISECONDS

TIME_COLUMNS: Final = ("time", "date", "datetime", "timestamp", "open_time", "date/time")
"""The accepted names of the time column, the first one present wins."""
CLOSE_COLUMNS: Final = ("close", "price")
"""The accepted names of the close column, the first one present wins."""
OPTIONAL_PRICE_COLUMNS: Final = ("open", "high", "low")

STANDARD_INTERVALS: Final[dict[int, str]] = {
    length: name for name, length in sorted({**INTERVAL_MILLISECONDS, "3d": 3 * DAY}.items())
}
"""Interval length in ms -> its name, for ``infer_interval``."""

_SECONDS_BELOW: Final = 1e11
"""An epoch number below this is in seconds (1e11 s is the year 5138), else in milliseconds."""
_DATETIME_FORMATS: Final = (
    "%Y-%m-%d",
    *(
        f"%Y-%m-%d{separator}%H:%M{seconds}{zone}"
        for separator in ("T", " ")
        for seconds in (":%S", ":%S%.f", "")
        for zone in ("", "Z", "%#z")
    ),
)
"""The ISO 8601 forms read, fixed ones first: polars reads those several times faster."""
_FIRST_DATA_LINE: Final = 2

Read = npt.NDArray[np.bool_]
"""Per cell: whether it was read."""
Conversion = Callable[[pl.Series], tuple[Floats, Read]]


def read_bars_csv(source: Path | bytes, *, symbol: str = "", interval: str = "") -> Bars:
    """The bars in the CSV file at ``source`` (a path, or the file's bytes).

    A missing open, high or low column is the close, a missing volume column 0. Without an
    ``interval`` it is inferred from the times (see ``infer_interval``). Raises BarsError for a
    file that is not such a CSV and OSError for a path that cannot be read.
    """
    header = _read_csv(source, n_rows=0)
    columns = _columns_by_name(header.columns)
    time_column = _required_column(columns, TIME_COLUMNS, "time")
    close_column = _required_column(columns, CLOSE_COLUMNS, "close")
    optional_columns = {
        name: columns[name] for name in (*OPTIONAL_PRICE_COLUMNS, "volume") if name in columns
    }
    table = _read_csv(source, columns=[time_column, close_column, *optional_columns.values()])
    if table.height == 0:
        raise BarsError("the CSV has no rows after its header")
    time = _times(table[time_column])
    _check_increasing(table[time_column], time)
    prices = {
        name: _volumes(table[column]) if name == "volume" else _positive_numbers(table[column])
        for name, column in optional_columns.items()
    }
    return Bars.from_arrays(
        time,
        _positive_numbers(table[close_column]),
        **prices,
        symbol=symbol,
        interval=interval or infer_interval(time),
    )


def infer_interval(time: Times) -> str:
    """The standard interval name (``1m``, ``1h``, ``1d``, …) equal to the median spacing of
    ``time`` (UTC ms, increasing), or empty when there is none or fewer than two times."""
    if len(time) < 2:
        return ""
    median = float(np.median(np.diff(time)))
    return STANDARD_INTERVALS.get(int(median), "") if median.is_integer() else ""


def _read_csv(source: Path | bytes, **options: Any) -> pl.DataFrame:
    """The CSV as text columns (only those needed: the others cost time too)."""
    data = io.BytesIO(source) if isinstance(source, bytes) else source
    try:
        return pl.read_csv(data, infer_schema=False, **options)
    except pl.exceptions.NoDataError:
        raise BarsError("the CSV is empty") from None
    except pl.exceptions.PolarsError as error:
        raise BarsError(f"the CSV cannot be read: {_first_line(str(error))}") from None


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else "unknown error"


def _columns_by_name(names: list[str]) -> dict[str, str]:
    """Trimmed lower-case name -> the file's column; the first of equal names wins."""
    columns: dict[str, str] = {}
    for column in names:
        columns.setdefault(column.strip().lstrip("\ufeff").lower(), column)
    return columns


def _required_column(columns: dict[str, str], names: tuple[str, ...], role: str) -> str:
    for name in names:
        if name in columns:
            return columns[name]
    found = ", ".join(repr(column) for column in columns.values())
    raise BarsError(f"no {role} column (one of {', '.join(names)}); found: {found}")


def _times(text: pl.Series) -> Times:
    """UTC ms of each cell: an epoch number or an ISO 8601 date or date-time."""
    time, read = _converted(text, _epochs_or_datetimes)
    _raise_at_first(text, ~read, "is not a date, a date-time or an epoch number")
    return time.astype(np.int64)


def _epochs_or_datetimes(text: pl.Series) -> tuple[Floats, Read]:
    numbers = _finite_numbers(text)
    read = np.isfinite(numbers)
    time = np.where(numbers < _SECONDS_BELOW, np.round(numbers * 1000), numbers)
    while not read.all():
        unread = np.flatnonzero(~read)
        date_format = _format_of(text[int(unread[0])])
        if date_format is None:
            break
        parsed = _datetimes(text.gather(unread), date_format)
        matched = parsed.is_not_null().to_numpy()
        time[unread[matched]] = parsed.to_numpy()[matched]
        read[unread[matched]] = True
    return time, read


def _format_of(value: str | None) -> str | None:
    """The first of ``_DATETIME_FORMATS`` that reads ``value``, if any."""
    cell = pl.Series([value], dtype=pl.String)
    for date_format in _DATETIME_FORMATS:
        if _datetimes(cell, date_format).is_not_null().all():
            return date_format
    return None


def _datetimes(text: pl.Series, date_format: str) -> pl.Series:
    """UTC ms (Int64, null where ``text`` has another form); naive times are UTC."""
    parsed = text.str.to_datetime(date_format, strict=False, time_unit="ms", cache=False)
    return parsed.dt.epoch("ms")


def _check_increasing(text: pl.Series, time: Times) -> None:
    steps = np.diff(time)
    bad = np.flatnonzero(steps <= 0)
    if not len(bad):
        return
    row = int(bad[0]) + 1
    previous = text[row - 1].strip()
    if steps[row - 1] == 0:
        _raise_at(text, row, f"repeats the previous one ({previous!r})")
    _raise_at(text, row, f"is before the previous one ({previous!r})")


def _positive_numbers(text: pl.Series) -> Floats:
    numbers = _numbers(text)
    _raise_at_first(text, ~(numbers > 0), "is not > 0")
    return numbers


def _volumes(text: pl.Series) -> Floats:
    numbers = _numbers(text)
    _raise_at_first(text, numbers < 0, "is negative")
    return numbers


def _numbers(text: pl.Series) -> Floats:
    numbers, read = _converted(text, lambda cells: _with_read(_finite_numbers(cells)))
    _raise_at_first(text, ~read, "is not a number")
    return numbers


def _with_read(numbers: Floats) -> tuple[Floats, Read]:
    return numbers, np.isfinite(numbers)


def _finite_numbers(text: pl.Series) -> Floats:
    """Each cell as a float; NaN where it is not a finite number."""
    numbers = text.cast(pl.Float64, strict=False).fill_null(np.nan).to_numpy()
    return np.where(np.isfinite(numbers), numbers, np.nan)


def _converted(text: pl.Series, convert: Conversion) -> tuple[Floats, Read]:
    """``convert(text)``, then again on the cells it could not read, trimmed: trimming every
    column up front would cost more than the rest of the reading."""
    values, read = convert(text)
    if not read.all():
        unread = np.flatnonzero(~read)
        retried, read_now = convert(text.gather(unread).str.strip_chars())
        values[unread[read_now]] = retried[read_now]
        read[unread[read_now]] = True
    return values, read


def _raise_at_first(text: pl.Series, bad: Read, problem: str) -> None:
    if bad.any():
        _raise_at(text, int(np.flatnonzero(bad)[0]), problem)


def _raise_at(text: pl.Series, row: int, problem: str) -> NoReturn:
    value = (text[row] or "").strip()
    line = f"line {row + _FIRST_DATA_LINE}: {text.name.strip()}"
    if not value:
        raise BarsError(f"{line} is missing")
    raise BarsError(f"{line} {value!r} {problem}")
