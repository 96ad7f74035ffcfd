"""``analysis.json`` and ``analysis.csv``: the same figures in two shapes.

Decimals are strings in plain notation (no exponent) without trailing fractional zeros:
``"1234.5"``, ``"0.00012"``, ``"10"``. Times are UTC, ``YYYY-MM-DDTHH:MM:SS.ffffffZ``. VWAP is
rounded half to even to ``vwap_places`` places; every other figure is exact.

JSON::

    {"date": "2025-01-20", "generated_at": "2025-01-21T00:05:00.000000Z", "vwap_places": 12,
     "rows": [{"ticker": "AAPL", "trades": 3, "buy_quantity": "10", "sell_quantity": "14",
               "volume": "24", "notional": "2640", "vwap": "110", "high": "120", "low": "100",
               "first_trade": "...", "last_trade": "...", "fees": {"USD": "0.7"},
               "realized_pnl": "160"}, ..., {"ticker": "TOTAL", ..., "vwap": null,
               "high": null, "low": null, ...}]}

Rows are sorted by ticker, the TOTAL row last; ``fees`` maps each fee asset to the sum of its
fees (the empty string for fees recorded without an asset). In the TOTAL row VWAP, high and low
are null (empty in the CSV): across different tickers they mean nothing.

CSV: a header line (:data:`CSV_COLUMNS`) then one line per row, the same strings as the JSON;
``fees`` is written ``0.7 USD + 0.001 BNB`` (just the amount for fees without an asset), empty
when there are none.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from paperex.analysis.figures import VWAP_PLACES, TickerFigures

CSV_COLUMNS = (
    "ticker",
    "trades",
    "buy_quantity",
    "sell_quantity",
    "volume",
    "notional",
    "vwap",
    "high",
    "low",
    "first_trade",
    "last_trade",
    "fees",
    "realized_pnl",
)


def plain(value: Decimal) -> str:
    """``value`` in plain notation without trailing fractional zeros, exactly."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def utc_text(moment: datetime) -> str:
    """``moment`` as ``YYYY-MM-DDTHH:MM:SS.ffffffZ``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def row_fields(row: TickerFigures) -> dict[str, Any]:
    """One row as JSON-ready values: decimals and times as strings, None where empty."""

    def optional(value: Decimal | None) -> str | None:
        return None if value is None else plain(value)

    def moment(value: datetime | None) -> str | None:
        return None if value is None else utc_text(value)

    return {
        "ticker": row.ticker,
        "trades": row.trades,
        "buy_quantity": plain(row.buy_quantity),
        "sell_quantity": plain(row.sell_quantity),
        "volume": plain(row.volume),
        "notional": plain(row.notional),
        "vwap": optional(row.vwap),
        "high": optional(row.high),
        "low": optional(row.low),
        "first_trade": moment(row.first_trade),
        "last_trade": moment(row.last_trade),
        "fees": {asset: plain(fee) for asset, fee in row.fees.items()},
        "realized_pnl": plain(row.realized_pnl),
    }


def analysis_json(day: date, generated_at: datetime, rows: tuple[TickerFigures, ...]) -> bytes:
    """The ``analysis.json`` document of ``day``'s rows, UTF-8."""
    document = {
        "date": day.isoformat(),
        "generated_at": utc_text(generated_at),
        "vwap_places": VWAP_PLACES,
        "rows": [row_fields(row) for row in rows],
    }
    return (json.dumps(document, indent=1) + "\n").encode()


def analysis_csv(rows: tuple[TickerFigures, ...]) -> bytes:
    """The ``analysis.csv`` text of ``rows``, UTF-8, ``\\n`` line ends, no quoting needed."""
    lines = [",".join(CSV_COLUMNS)]
    for row in rows:
        fields = row_fields(row)
        fields["fees"] = " + ".join(
            f"{amount} {asset}".strip() for asset, amount in fields["fees"].items()
        )
        lines.append(",".join("" if fields[c] is None else str(fields[c]) for c in CSV_COLUMNS))
    return ("\n".join(lines) + "\n").encode()
