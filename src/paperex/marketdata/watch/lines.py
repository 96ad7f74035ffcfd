"""Watch lines: one kline update or trade as text, a JSON object or a CSV row.

Prices stay exact ``Decimal``s and are written with their own digits. The average of
open/high/low/close is exact: a sum of four prices divided by 4 has at most two more decimals
than the prices (the symbol's price precision plus 2), so no rounding is ever needed.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Literal

from paperex.domain import Side
from paperex.marketdata.events import Kline, Trade

PriceTag = Literal["o", "h", "l", "c", "v"]
PRICE_TAGS: tuple[PriceTag, ...] = ("o", "h", "l", "c", "v")
Crossing = Literal["above", "below"]

GREEN, RED, RESET = "\033[32m", "\033[31m", "\033[0m"
BELL = "\a"
KLINE_COLUMNS = (
    "time",
    "symbol",
    "interval",
    "tag",
    "price",
    "open",
    "high",
    "low",
    "close",
    "average",
    "closed",
)
TRADE_COLUMNS = ("time", "symbol", "price", "quantity", "side")
THRESHOLD_COLUMNS = ("above", "crossed")


class OutputFormat(StrEnum):
    """How lines are written: text for people, json and csv for programs."""

    TEXT = "text"
    JSON = "json"
    CSV = "csv"


def ohlc_average(kline: Kline) -> Decimal:
    """The exact mean of ``kline``'s open, high, low and close."""
    return (kline.open + kline.high + kline.low + kline.close) / 4


def tagged_price(kline: Kline, tag: PriceTag) -> Decimal:
    """The open, high, low, close or volume (``v``) of ``kline``."""
    return {"o": kline.open, "h": kline.high, "l": kline.low, "c": kline.close, "v": kline.volume}[
        tag
    ]


def plain(value: Decimal) -> str:
    """``value`` in positional notation (never ``1E-7``), with its own digits."""
    return format(value, "f")


def shown_time(time_ms: int, *, convert: bool) -> str:
    """Epoch milliseconds, or ``2024-09-09 00:47:12.003`` (UTC) when ``convert``."""
    if not convert:
        return str(time_ms)
    moment = datetime.fromtimestamp(time_ms / 1000, tz=UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S.") + f"{time_ms % 1000:03d}"


@dataclass(frozen=True, slots=True)
class Verdict:
    """Where a price stands against ``--min-price``; all None without one."""

    above: bool | None = None
    crossed: Crossing | None = None
    moved: int = 0
    """1 up, -1 down, 0 unchanged or first, against the previous price (for colour)."""


class PriceTracker:
    """Counts prices, keeps high/low/last and tells when a price crosses ``min_price``."""

    def __init__(self, min_price: Decimal | None = None) -> None:
        """``min_price``: the threshold to report against, or None."""
        self.min_price = min_price
        self.updates = 0
        self.high: Decimal | None = None
        self.low: Decimal | None = None
        self.last: Decimal | None = None

    def observe(self, price: Decimal) -> Verdict:
        """Fold ``price`` in; returns where it stands and whether it crossed the threshold
        (the first price only sets the side, it crosses nothing)."""
        previous = self.last
        self.updates += 1
        self.high = price if self.high is None else max(self.high, price)
        self.low = price if self.low is None else min(self.low, price)
        self.last = price
        moved = 0 if previous is None else (price > previous) - (price < previous)
        if self.min_price is None:
            return Verdict(moved=moved)
        above = price > self.min_price
        was_above = None if previous is None else previous > self.min_price
        crossed: Crossing | None = None
        if was_above is not None and above != was_above:
            crossed = "above" if above else "below"
        return Verdict(above=above, crossed=crossed, moved=moved)

    def summary(self) -> str:
        """``12 updates  high 65010.5  low 64990  last 65000.1`` (or just the count)."""
        if self.high is None or self.low is None or self.last is None:
            return f"{self.updates} updates"
        return (
            f"{self.updates} updates  high {plain(self.high)}  low {plain(self.low)}  "
            f"last {plain(self.last)}"
        )


@dataclass(frozen=True, slots=True)
class LineStyle:
    """How lines are written: the options of ``paperex watch`` that shape its output."""

    output: OutputFormat = OutputFormat.TEXT
    price_tag: PriceTag = "c"
    convert_time: bool = False
    min_price: Decimal | None = None
    colour: bool = False
    bell: bool = True


class LineWriter:
    """Turns events into output lines in one ``LineStyle``, tracking prices as it goes."""

    def __init__(self, style: LineStyle, *, trades: bool) -> None:
        """``trades``: lines of trades, else of kline updates."""
        self.style = style
        self.trades = trades
        self.tracker = PriceTracker(style.min_price)
        columns = TRADE_COLUMNS if trades else KLINE_COLUMNS
        self._columns: tuple[str, ...] = (
            columns if style.min_price is None else columns + THRESHOLD_COLUMNS
        )

    def header(self) -> list[str]:
        """The CSV header line, or nothing for the other formats."""
        if self.style.output is not OutputFormat.CSV:
            return []
        return [_csv_row(self._columns)]

    def lines(self, event: Kline | Trade) -> list[str]:
        """The output lines of ``event``: its line, and for text a marked line when it crossed
        the threshold (with a bell unless ``bell`` is off)."""
        fields: dict[str, object]
        if isinstance(event, Trade):
            price = event.price
            fields = {
                "time": shown_time(event.trade_time, convert=self.style.convert_time),
                "symbol": event.symbol,
                "price": plain(price),
                "quantity": plain(event.quantity),
                "side": "buy" if event.aggressor is Side.BUY else "sell",
            }
        else:
            price = tagged_price(event, self.style.price_tag)
            fields = {
                "time": shown_time(event.event_time, convert=self.style.convert_time),
                "symbol": event.symbol,
                "interval": event.interval,
                "tag": self.style.price_tag,
                "price": plain(price),
                "open": plain(event.open),
                "high": plain(event.high),
                "low": plain(event.low),
                "close": plain(event.close),
                "average": plain(ohlc_average(event)),
                "closed": event.closed,
            }
        verdict = self.tracker.observe(price)
        if self.style.min_price is not None:
            fields["above"] = verdict.above
            fields["crossed"] = verdict.crossed
        if self.style.output is OutputFormat.JSON:
            return [json.dumps(fields, separators=(",", ":"))]
        if self.style.output is OutputFormat.CSV:
            return [_csv_row(_csv_text(fields[name]) for name in self._columns)]
        return self._text_lines(fields, verdict)

    def _text_lines(self, fields: dict[str, object], verdict: Verdict) -> list[str]:
        if self.trades:
            line = (
                f"{fields['time']}  {fields['symbol']}  {fields['price']}  "
                f"qty {fields['quantity']}  {fields['side']}"
            )
        else:
            line = (
                f"{fields['time']}  {fields['symbol']} {fields['interval']}  "
                f"{fields['tag']} {fields['price']}  o {fields['open']}  h {fields['high']}  "
                f"l {fields['low']}  c {fields['close']}  avg {fields['average']}"
                + ("  closed" if fields["closed"] else "")
            )
        threshold = self.style.min_price
        if threshold is None:
            return [self._coloured(line, verdict.moved)]
        line += f"  {'above' if verdict.above else 'below'} {plain(threshold)}"
        lines = [self._coloured(line, verdict.moved)]
        if verdict.crossed is not None:
            mark = "▲" if verdict.crossed == "above" else "▼"
            bell = BELL if self.style.bell else ""
            lines.append(f"{mark} crossed {verdict.crossed} {plain(threshold)}{bell}")
        return lines

    def _coloured(self, line: str, moved: int) -> str:
        if not self.style.colour or moved == 0:
            return line
        return f"{GREEN if moved > 0 else RED}{line}{RESET}"


def _csv_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _csv_row(values: Iterable[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow(values)
    return buffer.getvalue()
