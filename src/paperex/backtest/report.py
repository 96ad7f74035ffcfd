"""A backtest's result as one self-contained HTML page: no network, no external files.

The page shows the run's settings, its statistics next to buy-and-hold, inline SVG charts
(candles with the trades, equity, drawdown, a parameter sweep) and the trades. Long series are
reduced before drawing, so a million bars make a page of a few hundred kilobytes: candles are
aggregated into buckets, lines keep each bucket's minimum and maximum so spikes stay visible.
Every text that comes from the document is escaped: names and symbols come from users.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape
from typing import Any

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float64]
Indices = npt.NDArray[np.int64]

MAX_CANDLES = 600
MAX_LINE_POINTS = 2000
MAX_MARKED_TRADES = 400
MAX_TRADE_ROWS = 1000
MAX_SWEEP_ROWS = 20
MAX_LABELLED_CELLS = 12
"""A heatmap shows the values in its cells when it has at most this many rows and columns."""
MAX_TITLED_CELLS = 2500

CHART_WIDTH = 1000
DAY_MS = 86_400_000
HOUR_MS = 3_600_000
MINUTE_MS = 60_000
MISSING = "—"

ValueFormat = Callable[[float], str]


# --- Formatting -----------------------------------------------------------------------------


def format_number(value: object) -> str:
    """Thousands separated with two decimals; small magnitudes with four significant digits."""
    if value is None:
        return MISSING
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if not isinstance(value, float):
        return str(value)
    if math.isnan(value):
        return MISSING
    if math.isinf(value):
        return "∞" if value > 0 else "-∞"
    if value == 0 or abs(value) >= 1:
        return f"{value:,.2f}"
    return f"{value:.4g}"


def finite_number(value: object) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return None


def format_percent(value: object) -> str:
    number = finite_number(value)
    return format_number(value) if number is None else f"{number * 100:,.2f} %"


def format_duration(milliseconds: object) -> str:
    """The two largest units among days, hours and minutes (seconds below a minute)."""
    number = finite_number(milliseconds)
    if number is None:
        return format_number(milliseconds)
    total = int(number)
    if total < MINUTE_MS:
        return f"{total / 1000:g} s"
    days, rest = divmod(total, DAY_MS)
    hours, rest = divmod(rest, HOUR_MS)
    minutes = rest // MINUTE_MS
    parts = [(days, "d"), (hours, "h"), (minutes, "min")]
    shown = [f"{amount} {unit}" for amount, unit in parts if amount][:2]
    return " ".join(shown)


def format_time(milliseconds: object, pattern: str = "%Y-%m-%d %H:%M") -> str:
    number = finite_number(milliseconds)
    if number is None:
        return format_number(milliseconds)
    return datetime.fromtimestamp(number / 1000, tz=UTC).strftime(pattern)


def is_percentage(key: str) -> bool:
    return key.endswith(("_return", "_rate", "drawdown", "_trade")) or key in {
        "exposure",
        "volatility",
        "return",
        "fee",
        "size",
    }


def format_statistic(key: str, value: object) -> str:
    """A statistic by what its name says it is: a fraction, a duration, a time or a number."""
    if is_percentage(key):
        return format_percent(value)
    if key.endswith("_duration"):
        return format_duration(value)
    if key in {"start", "end"} or key.endswith("_time"):
        return (
            format_time(value) + " UTC"
            if finite_number(value) is not None
            else format_number(value)
        )
    return format_number(value)


def label_of(key: str) -> str:
    return key.replace("_", " ").capitalize()


def parameters_text(parameters: Mapping[str, Any]) -> str:
    return ", ".join(f"{name} = {format_number(value)}" for name, value in parameters.items())


def as_float(value: object) -> float:
    number = finite_number(value)
    return math.nan if number is None else number


# --- Reducing long series -------------------------------------------------------------------


def as_array(values: object) -> Floats | None:
    """A series as float64, None becoming NaN; None when absent or not a list of numbers."""
    if not isinstance(values, Sequence) or isinstance(values, str) or not values:
        return None
    try:
        return np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        return None


def bucket_rows(values: Floats, width: int, fill: float) -> Floats:
    """``values`` cut into rows of ``width``; the last row padded with ``fill``."""
    rows = -(-len(values) // width)
    padded = np.full(rows * width, fill)
    padded[: len(values)] = values
    return padded.reshape(rows, width)


def bucket_width(count: int, buckets: int) -> int:
    return max(1, -(-count // buckets))


def first_finite(rows: Floats) -> Floats:
    finite = np.isfinite(rows)
    picked = rows[np.arange(len(rows)), np.argmax(finite, axis=1)]
    return np.where(finite.any(axis=1), picked, np.nan)


def downsample_min_max(values: Floats, max_points: int = MAX_LINE_POINTS) -> tuple[Floats, Floats]:
    """At most ``max_points`` (bar position, value) pairs: each bucket's minimum and maximum in
    time order, so a spike survives the reduction. An all-NaN bucket gives NaN (a gap)."""
    positions = np.arange(len(values), dtype=np.float64)
    if len(values) <= max_points:
        return positions, values
    width = bucket_width(len(values), max_points // 2)
    rows = bucket_rows(values, width, np.nan)
    finite = np.isfinite(rows)
    low = np.argmin(np.where(finite, rows, np.inf), axis=1)
    high = np.argmax(np.where(finite, rows, -np.inf), axis=1)
    first, second = np.minimum(low, high), np.maximum(low, high)
    offsets = np.arange(len(rows)) * width
    indices = np.column_stack([offsets + first, offsets + second]).ravel()
    empty = np.repeat(~finite.any(axis=1), 2)
    picked = np.where(empty, np.nan, values[np.minimum(indices, len(values) - 1)])
    distinct = np.column_stack([np.ones(len(rows), dtype=np.bool_), second != first]).ravel()
    return indices[distinct].astype(np.float64), picked[distinct]


@dataclass(frozen=True)
class Candles:
    """Bars aggregated into buckets of ``width`` bars each."""

    width: int
    open: Floats
    high: Floats
    low: Floats
    close: Floats


def aggregate_candles(
    open_: Floats, high: Floats, low: Floats, close: Floats, max_candles: int = MAX_CANDLES
) -> Candles:
    """Each bucket's first open, highest high, lowest low and last close (NaN skipped)."""
    width = bucket_width(len(close), max_candles)
    if width == 1:
        return Candles(1, open_, high, low, close)
    highs = bucket_rows(high, width, np.nan)
    lows = bucket_rows(low, width, np.nan)
    return Candles(
        width,
        first_finite(bucket_rows(open_, width, np.nan)),
        np.max(np.where(np.isfinite(highs), highs, -np.inf), axis=1),
        np.min(np.where(np.isfinite(lows), lows, np.inf), axis=1),
        first_finite(bucket_rows(close, width, np.nan)[:, ::-1]),
    )


# --- SVG building blocks ----------------------------------------------------------------------


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values (1, 2, 2.5 or 5 times a power of ten) covering [low, high]."""
    raw = (high - low) / count
    if not math.isfinite(raw) or raw <= 0:
        return [low]
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.ceil(low / step) * step
    return [first + k * step for k in range(int((high - first) / step + 1e-9) + 1)]


def tick_format(ticks: Sequence[float], percent: bool = False) -> ValueFormat:
    """Tick labels with as many decimals as the tick step needs."""
    scale = 100 if percent else 1
    step = abs(ticks[1] - ticks[0]) * scale if len(ticks) > 1 else 1.0
    decimals = max(0, -math.floor(math.log10(step))) if step > 0 else 0
    if step > 0 and not math.isclose(round(step, decimals), step):
        decimals += 1
    suffix = " %" if percent else ""
    return lambda value: f"{value * scale:,.{decimals}f}{suffix}"


def value_range(arrays: Iterable[Floats], include_zero: bool = False) -> tuple[float, float] | None:
    """The finite values' range padded by a little, or None when no value is finite."""
    finite = [a[np.isfinite(a)] for a in arrays]
    finite = [a for a in finite if len(a)]
    if not finite:
        return None
    low = min(float(a.min()) for a in finite)
    high = max(float(a.max()) for a in finite)
    if include_zero:
        low, high = min(low, 0.0), max(high, 0.0)
    padding = (high - low) * 0.04 or abs(high) * 0.01 or 1.0
    # An area drawn down from zero keeps zero on the frame's edge.
    below = 0.0 if include_zero and low == 0 else padding
    above = 0.0 if include_zero and high == 0 else padding
    return low - below, high + above


@dataclass(frozen=True)
class Frame:
    """A chart's plot area inside its SVG and the data ranges mapped onto it."""

    height: float
    x_low: float
    x_high: float
    y_low: float
    y_high: float
    left: float = 80
    right: float = 44
    top: float = 14
    bottom: float = 28
    width: float = CHART_WIDTH

    def x(self, values: Any) -> Any:
        span = (self.x_high - self.x_low) or 1.0
        return self.left + (values - self.x_low) / span * (self.width - self.left - self.right)

    def y(self, values: Any) -> Any:
        span = (self.y_high - self.y_low) or 1.0
        plot = self.height - self.top - self.bottom
        return self.top + (self.y_high - values) / span * plot

    @property
    def plot_bottom(self) -> float:
        return self.height - self.bottom


def svg(frame_width: float, height: float, label: str, body: Iterable[str]) -> str:
    return (
        f'<svg viewBox="0 0 {frame_width:g} {height:g}" role="img" aria-label="{escape(label)}">'
        + "".join(body)
        + "</svg>"
    )


def svg_text(x: float, y: float, text: str, css_class: str = "", anchor: str = "") -> str:
    attributes = f' class="{css_class}"' if css_class else ""
    attributes += f' text-anchor="{anchor}"' if anchor else ""
    return f'<text x="{x:.1f}" y="{y:.1f}"{attributes}>{escape(text)}</text>'


def svg_y_axis(frame: Frame, ticks: Sequence[float], label: ValueFormat) -> Iterable[str]:
    """Horizontal grid lines with their values on the left."""
    right = frame.width - frame.right
    for tick in ticks:
        y = float(frame.y(tick))
        if frame.top - 0.5 <= y <= frame.plot_bottom + 0.5:
            yield f'<path class="grid" d="M{frame.left:.1f} {y:.1f}H{right:.1f}"/>'
            yield svg_text(frame.left - 6, y + 4, label(tick), "tick", "end")


def svg_x_labels(frame: Frame, labels: Sequence[tuple[float, str]]) -> Iterable[str]:
    for position, text in labels:
        x = float(frame.x(position))
        yield f'<path class="axis" d="M{x:.1f} {frame.plot_bottom:.1f}v4"/>'
        yield svg_text(x, frame.plot_bottom + 17, text, "tick", "middle")


def svg_frame_border(frame: Frame) -> str:
    return (
        f'<path class="axis" d="M{frame.left:.1f} {frame.top:.1f}V{frame.plot_bottom:.1f}'
        f'H{frame.width - frame.right:.1f}"/>'
    )


def line_path(xs: Floats, ys: Floats, baseline: float | None = None) -> str:
    """An SVG path through the finite points, broken at NaN; closed down to ``baseline``
    (an area) when given."""
    commands: list[str] = []
    segment: list[str] = []
    segment_start = 0.0
    last_x = 0.0

    def close_segment() -> None:
        if len(segment) == 1 and baseline is None:
            segment.append("h0.1")  # a lone point: a dot with the line's round cap
        if segment and baseline is not None:
            segment.append(f"L{last_x:.1f} {baseline:.1f}L{segment_start:.1f} {baseline:.1f}Z")
        commands.extend(segment)
        segment.clear()

    for x, y in zip(xs.tolist(), ys.tolist(), strict=True):
        if not (math.isfinite(x) and math.isfinite(y)):
            close_segment()
            continue
        if not segment:
            segment_start = x
        segment.append(f"{'L' if segment else 'M'}{x:.1f} {y:.1f}")
        last_x = x
    close_segment()
    return "".join(commands)


# --- Time axis ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimeAxis:
    """Bar positions 0…count-1 and, when known, each bar's open time for the labels."""

    count: int
    time: Floats | None

    def labels(self, ticks: int = 6) -> list[tuple[float, str]]:
        if self.count == 0:
            return []
        positions = sorted({round(p) for p in np.linspace(0, self.count - 1, ticks).tolist()})
        if self.time is None or len(self.time) == 0:
            return [(float(p), f"bar {p:,}") for p in positions]
        times = self.time
        span = float(np.nanmax(times) - np.nanmin(times)) if np.isfinite(times).any() else 0.0
        pattern = "%Y-%m-%d" if span >= 2 * DAY_MS else "%m-%d %H:%M"
        return [
            (float(p), format_time(float(times[min(p, len(times) - 1)]), pattern))
            for p in positions
        ]

    def position_of(self, milliseconds: Floats) -> Indices:
        """Bar positions holding these times (the last bar opened at or before each)."""
        if self.time is None:
            return np.full(len(milliseconds), -1, dtype=np.int64)
        found = np.searchsorted(self.time, milliseconds, side="right") - 1
        return np.clip(found, 0, self.count - 1).astype(np.int64)


# --- Charts --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    label: str
    css_class: str
    values: Floats


def svg_line_chart(
    lines: Sequence[Line],
    axis: TimeAxis,
    *,
    title: str,
    percent: bool = False,
    area: bool = False,
    height: float = 260,
) -> str | None:
    """Lines over the bars, each reduced to at most MAX_LINE_POINTS points; ``area`` fills
    between the first line and zero. None when nothing is finite."""
    reduced = [(line, *downsample_min_max(line.values)) for line in lines]
    y_range = value_range((ys for _, _, ys in reduced), include_zero=area)
    if y_range is None:
        return None
    frame = Frame(height, 0, max(axis.count - 1, 1), *y_range)
    ticks = nice_ticks(*y_range)
    body = [*svg_y_axis(frame, ticks, tick_format(ticks, percent)), svg_frame_border(frame)]
    body += svg_x_labels(frame, axis.labels())
    baseline = float(frame.y(0.0)) if area else None
    for line, xs, ys in reduced:
        path = line_path(frame.x(xs), frame.y(ys), baseline)
        body.append(f'<path class="line {line.css_class}" d="{path}"/>')
    if len(lines) > 1:
        body += svg_legend(frame, lines)
    return svg(frame.width, height, title, body)


def svg_legend(frame: Frame, lines: Sequence[Line]) -> Iterable[str]:
    x = frame.left + 12
    for line in lines:
        y = frame.top + 12
        yield f'<path class="line {line.css_class}" d="M{x:.1f} {y - 4:.1f}h18"/>'
        yield svg_text(x + 24, y, line.label, "legend")
        x += 40 + 8 * len(line.label)


@dataclass(frozen=True)
class Marker:
    position: float
    price: float
    entry: bool
    title: str


def trade_markers(trades: Sequence[Mapping[str, Any]], axis: TimeAxis) -> list[Marker]:
    """Entry and exit markers at the fill prices, placed on the bars holding the fill times."""
    times = np.array(
        [as_float(t.get("entry_time")) for t in trades]
        + [as_float(t.get("exit_time")) for t in trades]
    )
    positions = axis.position_of(np.nan_to_num(times, nan=-1.0)).tolist()
    markers = []
    for index, trade in enumerate(trades):
        direction = str(trade.get("direction", ""))
        for entry, position in ((True, positions[index]), (False, positions[len(trades) + index])):
            side = "entry" if entry else "exit"
            price = as_float(trade.get(f"{side}_price"))
            moment = trade.get(f"{side}_time")
            if position < 0 or not math.isfinite(price) or finite_number(moment) is None:
                continue
            title = f"{label_of(side)} {direction} at {format_number(price)}, {format_time(moment)}"
            markers.append(Marker(float(position), price, entry, title))
    return markers


def sampled(trades: Sequence[Mapping[str, Any]], limit: int) -> list[Mapping[str, Any]]:
    """At most ``limit`` trades, evenly spaced over the run."""
    if len(trades) <= limit:
        return list(trades)
    picks = np.unique(np.linspace(0, len(trades) - 1, limit).round().astype(np.int64))
    return [trades[i] for i in picks.tolist()]


def svg_marker(frame: Frame, marker: Marker, candle_width: int, size: float) -> str:
    """▲ with its tip at an entry price, ▼ with its tip at an exit price."""
    x = float(frame.x(marker.position // candle_width))
    y = float(frame.y(marker.price))
    rise = size * 1.6 if marker.entry else -size * 1.6
    shape = f"l{-size:g} {rise:g}h{2 * size:g}z"
    css_class = "entry" if marker.entry else "exit"
    return (
        f'<path class="{css_class}" d="M{x:.1f} {y:.1f}{shape}">'
        f"<title>{escape(marker.title)}</title></path>"
    )


def candle_paths(frame: Frame, candles: Candles) -> Iterable[str]:
    """Wicks, rising and falling bodies as three paths: one element per candle would triple
    the page."""
    slot = float(frame.x(1.0) - frame.x(0.0))
    body_width = max(1.0, slot * 0.7)
    wicks: list[str] = []
    bodies: dict[bool, list[str]] = {True: [], False: []}
    rows = zip(
        candles.open.tolist(),
        candles.high.tolist(),
        candles.low.tolist(),
        candles.close.tolist(),
        strict=True,
    )
    for index, (open_, high, low, close) in enumerate(rows):
        if not all(math.isfinite(v) for v in (open_, high, low, close)):
            continue
        x = float(frame.x(float(index)))
        wicks.append(f"M{x:.1f} {frame.y(high):.1f}V{frame.y(low):.1f}")
        top = float(frame.y(max(open_, close)))
        height = max(1.0, float(frame.y(min(open_, close))) - top)
        bodies[close >= open_].append(
            f"M{x - body_width / 2:.1f} {top:.1f}h{body_width:.1f}v{height:.1f}h{-body_width:.1f}z"
        )
    yield f'<path class="wick" d="{"".join(wicks)}"/>'
    yield f'<path class="rise" d="{"".join(bodies[True])}"/>'
    yield f'<path class="fall" d="{"".join(bodies[False])}"/>'


def candle_chart(
    series: Mapping[str, Any], axis: TimeAxis, trades: Sequence[Mapping[str, Any]]
) -> tuple[str, str] | None:
    """The candle chart with the trades' markers and its caption; None without prices."""
    close = as_array(series.get("close"))
    if close is None:
        return None
    prices = [as_array(series.get(key)) for key in ("open", "high", "low")]
    open_, high, low = (p if p is not None and len(p) == len(close) else close for p in prices)
    candles = aggregate_candles(open_, high, low, close)
    shown = sampled(trades, MAX_MARKED_TRADES)
    markers = trade_markers(shown, axis)
    marker_prices = np.array([m.price for m in markers], dtype=np.float64)
    y_range = value_range([candles.high, candles.low, marker_prices])
    if y_range is None:
        return None
    buckets = len(candles.close)
    height = 380.0
    frame = Frame(height, -0.5, buckets - 0.5, *y_range)
    ticks = nice_ticks(*y_range)
    body = [*svg_y_axis(frame, ticks, tick_format(ticks)), svg_frame_border(frame)]
    body += svg_x_labels(
        frame, [((p + 0.5) / candles.width - 0.5, text) for p, text in axis.labels()]
    )
    body += candle_paths(frame, candles)
    size = 6.0 if len(markers) <= 100 else 3.5  # small enough to leave the candles visible
    body += (svg_marker(frame, m, candles.width, size) for m in markers)
    return svg(frame.width, height, "Price and trades", body), candle_caption(
        candles.width, len(shown), len(trades)
    )


def candle_caption(bars_per_candle: int, marked: int, trades: int) -> str:
    parts = [f"Each candle aggregates {bars_per_candle:,} bars." if bars_per_candle > 1 else ""]
    if trades:
        parts.append("▲ entry, ▼ exit, at the fill price.")
    if marked < trades:
        parts.append(f"Markers for {marked:,} of {trades:,} trades, evenly spaced over the run.")
    return " ".join(part for part in parts if part)


# --- Parameter sweep -------------------------------------------------------------------------


def cell_colour(value: float, low: float, high: float, diverging: bool) -> str:
    """Red below zero and green above on a diverging scale, else pale to dark blue."""
    if not math.isfinite(value):
        return "#e5e7eb"
    if diverging:
        scale = max(abs(low), abs(high)) or 1.0
        strength = min(1.0, abs(value) / scale)
        target = (26, 152, 80) if value >= 0 else (215, 48, 39)
    else:
        strength = (value - low) / ((high - low) or 1.0)
        target = (33, 102, 172)
    red, green, blue = (round(255 + (c - 255) * strength) for c in target)
    return f"#{red:02x}{green:02x}{blue:02x}"


def text_colour(value: float, low: float, high: float) -> str:
    scale = max(abs(low), abs(high)) or 1.0
    return "light" if math.isfinite(value) and abs(value) / scale > 0.6 else ""


def is_diverging(statistic: str, values: Floats) -> bool:
    finite = values[np.isfinite(values)]
    return is_percentage(statistic) or bool(len(finite) and finite.min() < 0)


def sweep_values(values: object) -> Floats | None:
    """A sweep's values as a float array (None → NaN), None when ragged."""
    try:
        return np.array(values, dtype=np.float64)
    except (TypeError, ValueError):
        return None


def svg_heatmap(
    statistic: str, names: Sequence[str], axes: Sequence[Sequence[Any]], grid: Floats
) -> str:
    """Rows for the first parameter, columns for the second, one coloured cell per run."""
    rows, columns = grid.shape
    finite = grid[np.isfinite(grid)]
    low, high = (float(finite.min()), float(finite.max())) if len(finite) else (0.0, 0.0)
    diverging = is_diverging(statistic, grid)
    cell_height = min(36.0, max(8.0, 480 / rows))
    frame = Frame(
        cell_height * rows + 76, -0.5, columns - 0.5, rows - 0.5, -0.5, left=90, top=30, bottom=46
    )
    cell_width = float(frame.x(1.0) - frame.x(0.0))
    labelled = rows <= MAX_LABELLED_CELLS and columns <= MAX_LABELLED_CELLS
    titled = rows * columns <= MAX_TITLED_CELLS
    best = (
        tuple(int(k) for k in np.unravel_index(np.nanargmax(grid), grid.shape))
        if len(finite)
        else None
    )
    body: list[str] = []
    for i, j in itertools.product(range(rows), range(columns)):
        value = float(grid[i, j])
        x, y = float(frame.x(j - 0.5)), float(frame.y(i - 0.5))
        text = format_statistic(statistic, value)
        css_class = "cell best" if best == (i, j) else "cell"
        title = f"{names[0]} = {format_number(axes[0][i])}, {names[1]} = "
        title += f"{format_number(axes[1][j])}: {text}"
        body.append(
            f'<rect class="{css_class}" x="{x:.1f}" y="{y:.1f}" width="{cell_width:.1f}" '
            f'height="{cell_height:.1f}" fill="{cell_colour(value, low, high, diverging)}">'
            + (f"<title>{escape(title)}</title>" if titled else "")
            + "</rect>"
        )
        if labelled:
            shade = text_colour(value, low, high)
            body.append(
                svg_text(
                    x + cell_width / 2, y + cell_height / 2 + 4, text, f"value {shade}", "middle"
                )
            )
    body += svg_grid_labels(frame, names, axes)
    return svg(frame.width, frame.height, f"{statistic} by {names[0]} and {names[1]}", body)


def every_nth(count: int, most: int = 20) -> int:
    return max(1, -(-count // most))


def svg_grid_labels(
    frame: Frame, names: Sequence[str], axes: Sequence[Sequence[Any]]
) -> Iterable[str]:
    step = every_nth(len(axes[0]))
    for i in range(0, len(axes[0]), step):
        yield svg_text(
            frame.left - 6, float(frame.y(float(i))) + 4, format_number(axes[0][i]), "tick", "end"
        )
    step = every_nth(len(axes[1]))
    for j in range(0, len(axes[1]), step):
        x = float(frame.x(float(j)))
        yield svg_text(x, frame.plot_bottom + 16, format_number(axes[1][j]), "tick", "middle")
    yield svg_text(frame.left - 6, frame.top - 10, f"{names[0]} ↓", "axis-name", "end")
    yield svg_text(
        frame.left + (frame.width - frame.left - frame.right) / 2,
        frame.plot_bottom + 36,
        f"{names[1]} →",
        "axis-name",
        "middle",
    )


def svg_bar_chart(statistic: str, name: str, axis: Sequence[Any], values: Floats) -> str:
    """One bar per parameter value, up or down from zero."""
    y_range = value_range([values], include_zero=True) or (-1.0, 1.0)
    height = 280.0
    frame = Frame(height, -0.5, len(values) - 0.5, *y_range, bottom=46)
    ticks = nice_ticks(*y_range)
    percent = is_percentage(statistic)
    body = [*svg_y_axis(frame, ticks, tick_format(ticks, percent)), svg_frame_border(frame)]
    slot = float(frame.x(1.0) - frame.x(0.0))
    zero = float(frame.y(0.0))
    step = every_nth(len(values))
    for index, value in enumerate(values.tolist()):
        x = float(frame.x(float(index)))
        if math.isfinite(value):
            top = min(zero, float(frame.y(value)))
            css_class = "bar rise" if value >= 0 else "bar fall"
            title = f"{name} = {format_number(axis[index])}: {format_statistic(statistic, value)}"
            body.append(
                f'<rect class="{css_class}" x="{x - slot * 0.4:.1f}" y="{top:.1f}" '
                f'width="{slot * 0.8:.1f}" height="{abs(float(frame.y(value)) - zero):.1f}">'
                f"<title>{escape(title)}</title></rect>"
            )
        if index % step == 0:
            body.append(
                svg_text(x, frame.plot_bottom + 16, format_number(axis[index]), "tick", "middle")
            )
    body.append(
        svg_text(
            frame.left + (frame.width - frame.left) / 2, height - 8, name, "axis-name", "middle"
        )
    )
    return svg(frame.width, height, f"{statistic} by {name}", body)


def best_runs_table(
    statistic: str, names: Sequence[str], axes: Sequence[Sequence[Any]], grid: Floats
) -> str:
    """The MAX_SWEEP_ROWS runs with the highest statistic."""
    order = np.argsort(-np.where(np.isfinite(grid), grid, -np.inf), axis=None)
    best = [i for i in order.tolist() if math.isfinite(float(grid.flat[i]))][:MAX_SWEEP_ROWS]
    head = ["#", *names, label_of(statistic)]
    rows = []
    for rank, flat in enumerate(best, start=1):
        position = np.unravel_index(flat, grid.shape)
        cells = [str(rank)] + [format_number(axes[k][int(p)]) for k, p in enumerate(position)]
        rows.append([*cells, format_statistic(statistic, float(grid.flat[flat]))])
    return html_table(head, rows, "sweep")


def sweep_section(sweep: Mapping[str, Any]) -> str:
    statistic = str(sweep.get("statistic", "value"))
    parameters = sweep.get("parameters") or {}
    names = [str(name) for name in parameters]
    axes = [list(parameters[name]) for name in parameters]
    grid = sweep_values(sweep.get("values"))
    shape = tuple(len(axis) for axis in axes)
    if grid is None or not names or grid.size != math.prod(shape):
        return section("Parameter sweep", note("The sweep's values do not match its parameters."))
    grid = grid.reshape(shape)
    if len(names) == 1:
        content = figure(svg_bar_chart(statistic, names[0], axes[0], grid), "")
    elif len(names) == 2:
        caption = "Each cell is one run; the outlined cell is the best."
        content = figure(svg_heatmap(statistic, names, axes, grid), caption)
    else:
        content = best_runs_table(statistic, names, axes, grid)
    return section(f"Parameter sweep: {label_of(statistic)}", content)


# --- Page ----------------------------------------------------------------------------------------


def html_table(head: Sequence[str], rows: Iterable[Sequence[str]], css_class: str) -> str:
    header = "".join(f"<th>{escape(cell)}</th>" for cell in head)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>" for row in rows
    )
    return (
        f'<table class="{css_class}"><thead><tr>{header}</tr></thead><tbody>{body}</tbody></table>'
    )


def section(title: str, content: str) -> str:
    return f"<section><h2>{escape(title)}</h2>{content}</section>"


def figure(chart: str, caption: str) -> str:
    text = f"<figcaption>{escape(caption)}</figcaption>" if caption else ""
    return f"<figure>{chart}{text}</figure>"


def note(text: str) -> str:
    return f'<p class="note">{escape(text)}</p>'


def header(document: Mapping[str, Any]) -> str:
    strategy = document.get("strategy") or {}
    market = document.get("market") or {}
    bars = document.get("bars") or {}
    execution = document.get("execution") or {}
    name = str(strategy.get("name", "Backtest"))
    parameters = parameters_text(strategy.get("parameters") or {})
    facts = [
        ("Market", f"{market.get('symbol', '?')} · {market.get('interval', '?')}"),
        ("Period", f"{format_time(bars.get('start'))} → {format_time(bars.get('end'))} UTC"),
        ("Bars", format_number(bars.get("count"))),
        *((label_of(key), format_execution(key, value)) for key, value in execution.items()),
    ]
    facts_html = "".join(f"<dt>{escape(term)}</dt><dd>{escape(text)}</dd>" for term, text in facts)
    return (
        f"<header><h1>{escape(name)}</h1>"
        + (f'<p class="parameters">{escape(parameters)}</p>' if parameters else "")
        + f"<dl>{facts_html}</dl></header>"
    )


def format_execution(key: str, value: object) -> str:
    if key.endswith("_bps") and finite_number(value) is not None:
        return f"{format_number(value)} bps"
    return format_statistic(key, value)


def statistics_section(document: Mapping[str, Any]) -> str:
    strategy = document.get("statistics") or {}
    benchmark = document.get("buy_and_hold")
    keys = list(dict.fromkeys([*strategy, *(benchmark or {})]))
    if not keys:
        return section("Statistics", note("No statistics."))
    head = ["Statistic", "Strategy", *(["Buy and hold"] if benchmark is not None else [])]
    rows = [
        [label_of(key), format_statistic(key, strategy.get(key))]
        + ([format_statistic(key, benchmark.get(key))] if benchmark is not None else [])
        for key in keys
    ]
    return section("Statistics", html_table(head, rows, "statistics"))


TRADE_COLUMNS = ["#", "Direction", "Quantity", "Entry", "Entry price", "Exit", "Exit price"]
TRADE_COLUMNS += ["Fees", "PnL", "Return"]


def trade_row(number: int, trade: Mapping[str, Any]) -> list[str]:
    still_open = trade.get("exit_time") is None
    return [
        f"{number:,}",
        str(trade.get("direction", "")),
        format_number(trade.get("quantity")),
        format_time(trade.get("entry_time")),
        format_number(trade.get("entry_price")),
        "open" if still_open else format_time(trade.get("exit_time")),
        format_number(trade.get("exit_price")),
        format_number(trade.get("fees")),
        format_number(trade.get("pnl")),
        format_percent(trade.get("return")),
    ]


def trades_section(trades: Sequence[Mapping[str, Any]]) -> str:
    if not trades:
        return section("Trades", note("No trades."))
    rows = (trade_row(n, t) for n, t in enumerate(trades[:MAX_TRADE_ROWS], start=1))
    content = f'<div class="table-wrap">{html_table(TRADE_COLUMNS, rows, "trades")}</div>'
    if len(trades) > MAX_TRADE_ROWS:
        left_out = len(trades) - MAX_TRADE_ROWS
        content += note(
            f"The first {MAX_TRADE_ROWS:,} of {len(trades):,} trades; {left_out:,} left out."
        )
    return section(f"Trades ({len(trades):,})", content)


def time_axis(series: Mapping[str, Any]) -> TimeAxis:
    time = as_array(series.get("time"))
    lengths = [
        len(v) for v in series.values() if isinstance(v, Sequence) and not isinstance(v, str)
    ]
    return TimeAxis(max(lengths, default=0), time)


def chart_sections(document: Mapping[str, Any]) -> str:
    series = document.get("series") or {}
    trades = document.get("trades") or []
    axis = time_axis(series)
    if axis.count == 0:
        return section("Charts", note("This document carries no series to chart."))
    parts = []
    candles = candle_chart(series, axis, trades)
    if candles is not None:
        parts.append(section("Price and trades", figure(*candles)))
    lines = [
        Line(label, css_class, values)
        for label, css_class, key in (
            ("Strategy", "equity", "equity"),
            ("Buy and hold", "hold", "buy_and_hold"),
        )
        if (values := as_array(series.get(key))) is not None
    ]
    equity = svg_line_chart(lines, axis, title="Equity") if lines else None
    if equity is not None:
        parts.append(section("Equity", figure(equity, "")))
    drawdown_values = as_array(series.get("drawdown"))
    drawdown = (
        svg_line_chart(
            [Line("Drawdown", "drawdown", drawdown_values)],
            axis,
            title="Drawdown",
            percent=True,
            area=True,
            height=200,
        )
        if drawdown_values is not None
        else None
    )
    if drawdown is not None:
        parts.append(section("Drawdown", figure(drawdown, "")))
    return "".join(parts)


STYLE = """
body{margin:0;background:#f8fafc;color:#0f172a;font:14px/1.45 system-ui,-apple-system,
"Segoe UI",Roboto,sans-serif}
main{max-width:1040px;margin:0 auto;padding:20px}
h1{margin:0 0 4px;font-size:24px;overflow-wrap:anywhere}h2{font-size:17px;margin:28px 0 8px}
.parameters{margin:0 0 10px;color:#475569;overflow-wrap:anywhere}
dl{display:grid;grid-template-columns:repeat(auto-fill,minmax(230px,1fr));gap:2px 16px;margin:0}
dt{font-weight:600;color:#475569}dd{margin:0 0 6px;overflow-wrap:anywhere}
table{border-collapse:collapse;background:#fff;font-variant-numeric:tabular-nums}
th,td{padding:3px 10px;border-bottom:1px solid #e2e8f0;text-align:right;white-space:nowrap}
th:first-child,td:first-child{text-align:left}th{background:#f1f5f9;position:sticky;top:0}
.trades{font-size:12.5px}.trades th{cursor:pointer}
figure{margin:0;background:#fff;border:1px solid #e2e8f0;border-radius:6px;padding:6px}
figcaption,.note{color:#475569;font-size:12.5px;margin:4px 6px}
svg{display:block;width:100%;height:auto}
svg text{font-size:11px;fill:#334155}
.grid{stroke:#e2e8f0;stroke-width:1}.axis{stroke:#94a3b8;stroke-width:1;fill:none}
.wick{stroke:#64748b;stroke-width:1}.rise{fill:#16a34a}.fall{fill:#dc2626}
.entry{fill:#15803d;fill-opacity:.85}.exit{fill:#b91c1c;fill-opacity:.85}
.line{fill:none;stroke-width:1.4;stroke-linecap:round}.equity{stroke:#2563eb}.hold{stroke:#f59e0b}
.drawdown{stroke:#dc2626;fill:#fecaca}.cell{stroke:#fff;stroke-width:1}
.cell.best{stroke:#0f172a;stroke-width:2}.value{font-size:10.5px;fill:#0f172a}
.value.light{fill:#fff}.axis-name{font-weight:600}.legend{font-size:12px}
.table-wrap{max-height:640px;overflow:auto;border:1px solid #e2e8f0}
"""

# Sorts the trades table by a clicked column: numbers as numbers, ahead of texts such as "—".
SORT_SCRIPT = """
const sortKey = (text) => {
  const plain = text.replace(/[, %]/g, "");
  return /^-?[0-9.]+(e-?[0-9]+)?$/.test(plain) ? parseFloat(plain) : text;
};
const compare = (x, y) =>
  typeof x !== typeof y ? (typeof x === "number" ? -1 : 1) : x < y ? -1 : x > y ? 1 : 0;
document.querySelectorAll("table.trades th").forEach((th, column) => {
  th.addEventListener("click", () => {
    const body = th.closest("table").tBodies[0];
    const order = th.dataset.order === "up" ? -1 : 1;
    th.dataset.order = order === 1 ? "up" : "down";
    const rows = [...body.rows].map((row) => [sortKey(row.cells[column].textContent), row]);
    rows.sort((a, b) => order * compare(a[0], b[0]));
    rows.forEach(([, row]) => body.appendChild(row));
  });
});
"""


def render_report(document: Mapping[str, Any]) -> str:
    """The whole HTML page for a backtest's JSON document; it opens offline."""
    strategy = document.get("strategy") or {}
    market = document.get("market") or {}
    title = f"{strategy.get('name', 'Backtest')} · {market.get('symbol', '')} backtest"
    sweep = document.get("sweep")
    body = [
        header(document),
        statistics_section(document),
        chart_sections(document),
        sweep_section(sweep) if isinstance(sweep, Mapping) else "",
        trades_section(document.get("trades") or []),
    ]
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head>"
        f"<body><main>{''.join(body)}</main><script>{SORT_SCRIPT}</script></body></html>\n"
    )
