"""The ``trades.csv`` format: one UTC day of journal trades, written by the exporter and read by
the analysis.

Text rules (the exporter's two writers, Python on SQLite and ``COPY`` on PostgreSQL, produce
the same bytes):

- UTF-8, lines end with ``\\n``, the first line is :data:`HEADER` exactly, one trade per line.
- Fields are never quoted: no field may contain a comma, a quote or a line break (usernames,
  tickers and codes cannot). An absent optional value is the empty field.
- ``id``: an integer. ``user``: letters, digits and ``@.+-_``. ``ticker``: upper-case letters,
  digits and ``. - _ / : = ^`` after the first, 1 to 20 characters (``AAPL``, ``BTCUSDT``,
  ``BRK.B``, ``EURUSD=X``). ``side``: ``BUY``
  or ``SELL``.
- ``price`` and ``quantity``: positive plain decimals, up to 18 integer digits and up to 12
  fractional digits (trailing zeros count), no sign, no exponent: ``150.75``, ``0.00012``,
  ``10``. Python: ``format(value, "f")``; PostgreSQL: ``numeric`` as text.
- ``fee``: a plain decimal >= 0 in the same form, or empty; ``fee_asset``: upper-case letters and
  digits, or empty.
- ``timestamp``: UTC, ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` (always six fractional digits). PostgreSQL:
  ``to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')``. Readers also accept no
  fraction (or a shorter one) and ``+00:00`` for ``Z``.
- ``source``: ``manual`` or ``exchange``. ``order_id``: an integer, or empty.

Rows are written in (timestamp, id) order, but readers must not rely on it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal

COLUMNS: tuple[str, ...] = (
    "id",
    "user",
    "ticker",
    "side",
    "price",
    "quantity",
    "fee",
    "fee_asset",
    "timestamp",
    "source",
    "order_id",
)
HEADER: bytes = (",".join(COLUMNS) + "\n").encode()

MAX_FRACTION_DIGITS = 12
SIDES = ("BUY", "SELL")
SOURCES = ("manual", "exchange")

DECIMAL_PATTERN = r"^[0-9]{1,18}(\.[0-9]{1,12})?$"
TICKER_PATTERN = r"^[A-Z0-9][A-Z0-9._/:=^-]{0,19}$"
ASSET_PATTERN = r"^[A-Z0-9]{1,20}$"
USER_PATTERN = r"^[A-Za-z0-9@.+_-]{1,150}$"
INTEGER_PATTERN = r"^-?[0-9]{1,18}$"
TIMESTAMP_PATTERN = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?(Z|\+00:00)$"
TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def parse_day(text: str) -> date:
    """The UTC day ``YYYY-MM-DD`` names; raises ValueError (one line) for anything else."""
    try:
        if re.fullmatch(r"\d{4}-\d\d-\d\d", text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    raise ValueError(f"Invalid date {text!r}: expected YYYY-MM-DD")


class TradesFileError(ValueError):
    """A ``trades.csv`` that breaks the format; its text is one line naming the line and column."""


def format_trade_row(
    *,
    id: int,
    user: str,
    ticker: str,
    side: str,
    price: Decimal,
    quantity: Decimal,
    fee: Decimal | None,
    fee_asset: str,
    timestamp: datetime,
    source: str,
    order_id: int | None,
) -> bytes:
    """One trade as a line of ``trades.csv`` (with its ``\\n``), by the rules above.

    Raises :class:`ValueError` for a value the format cannot carry (a naive timestamp, a
    username with a comma, a negative price, ...)."""
    if timestamp.tzinfo is None:
        raise ValueError("trade timestamps must be timezone-aware")
    fields = [
        str(id),
        user,
        ticker,
        side,
        format(price, "f"),
        format(quantity, "f"),
        "" if fee is None else format(fee, "f"),
        fee_asset,
        timestamp.astimezone(UTC).strftime(TIMESTAMP_FORMAT),
        source,
        "" if order_id is None else str(order_id),
    ]
    problem = row_problem(fields, None)
    if problem is not None:
        raise ValueError(problem)
    return (",".join(fields) + "\n").encode()


def row_problem(fields: Sequence[str], line_number: int | None) -> str | None:
    """What is wrong with one row split into its fields, as one line naming the line of the
    file (when given) and the column; None for a valid row."""
    where = "trade" if line_number is None else f"line {line_number}"
    if len(fields) != len(COLUMNS):
        return f"{where}: {len(fields)} fields, expected {len(COLUMNS)} ({','.join(COLUMNS)})"
    for column, value in zip(COLUMNS, fields, strict=True):
        problem = _field_problem(column, value)
        if problem is not None:
            return f"{where}, column {column}: {value!r} {problem}"
    return None


_NOT_A_DECIMAL = "is not a plain decimal with at most 12 places"
# column -> (pattern, what a mismatch is, whether empty is allowed)
_FIELD_CHECKS: dict[str, tuple[str, str, bool]] = {
    "id": (INTEGER_PATTERN, "is not an integer", False),
    "user": (USER_PATTERN, "is not a username", False),
    "ticker": (TICKER_PATTERN, "is not a ticker", False),
    "price": (DECIMAL_PATTERN, _NOT_A_DECIMAL, False),
    "quantity": (DECIMAL_PATTERN, _NOT_A_DECIMAL, False),
    "fee": (DECIMAL_PATTERN, _NOT_A_DECIMAL, True),
    "fee_asset": (ASSET_PATTERN, "is not an asset code", True),
    "timestamp": (TIMESTAMP_PATTERN, "is not an ISO 8601 UTC time", False),
    "order_id": (INTEGER_PATTERN, "is not an integer", True),
}


def _field_problem(column: str, value: str) -> str | None:
    if column == "side":
        return None if value in SIDES else "is not BUY or SELL"
    if column == "source":
        return None if value in SOURCES else "is not manual or exchange"
    pattern, problem, optional = _FIELD_CHECKS[column]
    if optional and value == "":
        return None
    if not re.fullmatch(pattern, value):
        return problem
    if column in ("price", "quantity") and Decimal(value) == 0:
        return "is not positive"
    if column == "timestamp":
        try:
            datetime.fromisoformat(value)
        except ValueError:
            return "is not a valid date and time"
    return None


def header_problem(data: bytes) -> str | None:
    """What is wrong with the first line of a ``trades.csv`` (missing or unexpected columns),
    as one line; None when it is :data:`HEADER`."""
    end = data.find(b"\n")
    first_line = data[: len(data) if end < 0 else end].rstrip(b"\r").decode("utf-8", "replace")
    if (first_line + "\n").encode() == HEADER:
        return None
    found = first_line.split(",")
    missing = [column for column in COLUMNS if column not in found]
    if missing:
        return f"line 1: the header lacks column {', '.join(missing)}"
    return f"line 1: the header must be {HEADER.decode().strip()!r}, not {first_line!r}"


def first_problem(data: bytes) -> str | None:
    """The first thing wrong in a whole ``trades.csv``, as one line naming the line and the
    column; None for a valid file. Row by row: for telling what is wrong, not for speed."""
    problem = header_problem(data)
    if problem is not None:
        return problem
    for line_number, line in enumerate(data.split(b"\n")[1:], start=2):
        if not line:
            continue
        try:
            text = line.decode()
        except UnicodeDecodeError:
            return f"line {line_number}: not UTF-8 text"
        problem = row_problem(text.split(","), line_number)
        if problem is not None:
            return problem
    return None
