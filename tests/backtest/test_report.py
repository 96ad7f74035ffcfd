"""The HTML report: a hand-made document's page read back with html.parser (balanced tags,
statistics, trades, charts, markers, heatmap), escaping, no network references, the reduction
of a million bars, and documents with parts missing."""

from __future__ import annotations

import copy
import re
from html.parser import HTMLParser
from typing import Any

import numpy as np
import pytest

from paperex.backtest.report import (
    MAX_CANDLES,
    MAX_LINE_POINTS,
    aggregate_candles,
    downsample_min_max,
    format_duration,
    format_statistic,
    render_report,
)

MINUTE = 60_000
START = 1_704_067_200_000  # 2024-01-01 00:00 UTC
VOID = {"meta", "br", "hr", "img", "input", "link"}


class Page(HTMLParser):
    """The parts of a page the tests read; ``errors`` lists unbalanced tags."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.tables: list[list[list[str]]] = []
        self.titles: list[str] = []
        self.texts: list[str] = []
        self.cell: list[str] | None = None
        self.feed(text)
        self.close()
        if self.stack:
            self.errors.append(f"left open: {self.stack}")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {name: value or "" for name, value in attrs}))
        if tag in VOID:
            return
        self.stack.append(tag)
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in {"td", "th", "title", "text"}:
            self.cell = []

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {name: value or "" for name, value in attrs}))

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:]}")
            return
        self.stack.pop()
        text = "".join(self.cell or [])
        if tag in {"td", "th"}:
            self.tables[-1][-1].append(text)
        elif tag == "title" and "svg" in self.stack:
            self.titles.append(text)
        elif tag == "text":
            self.texts.append(text)

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)

    def with_class(self, css_class: str) -> list[dict[str, str]]:
        return [a for _, a in self.elements if css_class in a.get("class", "").split()]

    def count(self, tag: str) -> int:
        return sum(1 for name, _ in self.elements if name == tag)


def statistics(total_return: float) -> dict[str, Any]:
    return {
        "start_equity": 10000.0,
        "final_equity": 12345.6,
        "total_return": total_return,
        "sharpe": None,
        "max_drawdown": -0.31,
        "max_drawdown_duration": 93_600_000,
        "trades": 3213,
        "win_rate": 0.31,
        "profit_factor": 1.05,
        "best_trade": 0.0712,
        "exposure": 0.49,
        "start": START,
    }


def small_document() -> dict[str, Any]:
    closes = [100.0, 102.0, 101.0, 105.0, 104.0, 108.0]
    benchmark = statistics(0.05)
    benchmark["calmar"] = 1.5  # a key only the benchmark has is shown too
    return {
        "strategy": {"name": "sma_cross", "parameters": {"fast": 2, "slow": 4}},
        "market": {"symbol": "BTCUSDT", "interval": "1m"},
        "execution": {"cash": 10000.0, "fee": 0.001, "slippage_bps": 2.0, "allow_short": False},
        "bars": {"count": 6, "start": START, "end": START + 5 * MINUTE},
        "statistics": statistics(0.23456),
        "buy_and_hold": benchmark,
        "trades": [
            {
                "direction": "long",
                "quantity": 0.5,
                "entry_time": START + MINUTE,
                "entry_price": 101.5,
                "exit_time": START + 3 * MINUTE,
                "exit_price": 104.5,
                "fees": 0.21,
                "pnl": 1.29,
                "return": 0.0254,
            },
            {
                "direction": "short",
                "quantity": 0.25,
                "entry_time": START + 4 * MINUTE,
                "entry_price": 104.5,
                "exit_time": None,
                "exit_price": None,
                "fees": 0.03,
                "pnl": None,
                "return": None,
            },
        ],
        "series": {
            "time": [START + n * MINUTE for n in range(6)],
            "open": [99.0, *closes[:-1]],
            "high": [c + 1 for c in closes],
            "low": [c - 2 for c in closes],
            "close": closes,
            "equity": [10000.0, 10000.0, 9990.0, 10030.0, 10020.0, 10060.0],
            "buy_and_hold": [10000.0 * c / 100 for c in closes],
            "drawdown": [0.0, 0.0, -0.001, 0.0, -0.001, 0.0],
        },
        "sweep": {
            "statistic": "total_return",
            "parameters": {"fast": [2, 3], "slow": [4, 5, 6]},
            "values": [[0.1, -0.05, None], [0.2345, 0.0, -0.2]],
        },
    }


@pytest.fixture(scope="module")
def small() -> Page:
    return Page(render_report(small_document()))


def table_with(page: Page, header: str) -> list[list[str]]:
    return next(table for table in page.tables if table and header in table[0])


def test_the_page_is_well_formed(small: Page) -> None:
    assert small.errors == []
    assert small.count("html") == small.count("body") == 1


def test_the_statistics_stand_next_to_buy_and_hold_formatted_by_their_names(small: Page) -> None:
    rows = {row[0]: row[1:] for row in table_with(small, "Statistic")}
    assert rows["Statistic"] == ["Strategy", "Buy and hold"]
    assert rows["Total return"] == ["23.46 %", "5.00 %"]
    assert rows["Final equity"] == ["12,345.60", "12,345.60"]
    assert rows["Sharpe"] == ["—", "—"]
    assert rows["Max drawdown"][0] == "-31.00 %"
    assert rows["Max drawdown duration"][0] == "1 d 2 h"
    assert rows["Trades"][0] == "3,213"
    assert rows["Win rate"][0] == "31.00 %"
    assert rows["Best trade"][0] == "7.12 %"
    assert rows["Exposure"][0] == "49.00 %"
    assert rows["Profit factor"][0] == "1.05"
    assert rows["Start"][0] == "2024-01-01 00:00 UTC"
    assert rows["Calmar"] == ["—", "1.50"]


def test_the_header_tells_the_run(small: Page) -> None:
    page = render_report(small_document())
    assert "<h1>sma_cross</h1>" in page
    assert "fast = 2, slow = 4" in page
    assert "BTCUSDT · 1m" in page
    assert "2024-01-01 00:00 → 2024-01-01 00:05 UTC" in page
    assert "<dt>Fee</dt><dd>0.10 %</dd>" in page
    assert "<dt>Slippage bps</dt><dd>2.00 bps</dd>" in page


def test_every_trade_has_a_row(small: Page) -> None:
    rows = table_with(small, "Direction")[1:]
    assert rows == [
        [
            *("1", "long", "0.5", "2024-01-01 00:01", "101.50", "2024-01-01 00:03", "104.50"),
            *("0.21", "1.29", "2.54 %"),
        ],
        ["2", "short", "0.25", "2024-01-01 00:04", "104.50", "open", "—", "0.03", "—", "—"],
    ]


def test_one_svg_per_chart(small: Page) -> None:
    labels = [a["aria-label"] for tag, a in small.elements if tag == "svg"]
    assert labels == ["Price and trades", "Equity", "Drawdown", "total_return by fast and slow"]
    assert len(small.with_class("equity")) == len(small.with_class("hold")) == 2  # line, legend
    assert len(small.with_class("drawdown")) == 1


def test_the_trades_are_marked_at_their_prices(small: Page) -> None:
    assert len(small.with_class("entry")) == 2
    assert len(small.with_class("exit")) == 1  # the open trade has no exit
    assert "Entry long at 101.50, 2024-01-01 00:01" in small.titles
    assert "Exit long at 104.50, 2024-01-01 00:03" in small.titles
    assert "Entry short at 104.50, 2024-01-01 00:04" in small.titles


def test_the_heatmap_has_a_cell_per_run_with_its_value(small: Page) -> None:
    cells = small.with_class("cell")
    assert len(cells) == 6
    titles = [t for t in small.titles if t.startswith("fast")]
    assert titles == [
        "fast = 2, slow = 4: 10.00 %",
        "fast = 2, slow = 5: -5.00 %",
        "fast = 2, slow = 6: —",
        "fast = 3, slow = 4: 23.45 %",
        "fast = 3, slow = 5: 0.00 %",
        "fast = 3, slow = 6: -20.00 %",
    ]
    assert {"10.00 %", "-5.00 %", "23.45 %", "-20.00 %"} <= set(small.texts)
    (best,) = small.with_class("best")
    assert best == cells[3]
    # A diverging scale: green above zero, red below, white at zero, grey where undefined.
    fills = [cell["fill"] for cell in cells]
    assert fills[3] == "#1a9850"
    assert fills[4] == "#ffffff"
    red, green = int(fills[5][1:3], 16), int(fills[5][3:5], 16)
    assert red > green + 100
    assert fills[2] == "#e5e7eb"


def test_a_one_parameter_sweep_is_a_bar_chart() -> None:
    document = small_document()
    document["sweep"] = {
        "statistic": "sharpe",
        "parameters": {"fast": [5, 10, 15]},
        "values": [0.5, None, -0.25],
    }
    page = Page(render_report(document))
    assert len(page.with_class("bar")) == 2
    assert "fast = 5: 0.5" in page.titles
    assert "fast = 15: -0.25" in page.titles


def test_a_sweep_over_three_parameters_lists_the_best_runs() -> None:
    document = small_document()
    values = np.arange(4 * 3 * 2, dtype=float).reshape(4, 3, 2) / 100
    document["sweep"] = {
        "statistic": "total_return",
        "parameters": {"fast": [1, 2, 3, 4], "slow": [10, 20, 30], "stop": [0.01, 0.02]},
        "values": values.tolist(),
    }
    page = Page(render_report(document))
    table = table_with(page, "stop")
    assert table[0] == ["#", "fast", "slow", "stop", "Total return"]
    assert len(table) == 1 + 20
    assert table[1] == ["1", "4", "30", "0.02", "23.00 %"]
    assert table[2] == ["2", "4", "30", "0.01", "22.00 %"]


def test_text_from_the_document_is_escaped() -> None:
    document = small_document()
    attack = "<script>alert(1)</script>"
    document["strategy"] = {"name": attack, "parameters": {attack: attack}}
    document["market"]["symbol"] = '"><img src=x onerror=alert(1)>'
    document["trades"][0]["direction"] = attack
    document["statistics"][attack] = 1.0
    document["sweep"]["parameters"] = {attack: [2, 3], "slow": [4, 5, 6]}
    text = render_report(document)
    assert "<script>alert" not in text
    assert "<img" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    page = Page(text)
    assert page.errors == []
    assert page.count("script") == 1  # the page's own, sorting the trades


def test_the_page_references_nothing_outside_itself() -> None:
    text = render_report(small_document())
    assert "http://" not in text
    assert "https://" not in text
    assert not re.search(r"\b(src|href)=", text)
    assert "@import" not in text
    assert "url(" not in text


def million_bar_document() -> dict[str, Any]:
    count = 1_000_000
    rng = np.random.default_rng(7)
    close = 30_000 * np.exp(np.cumsum(rng.normal(0, 0.0005, count)))
    close[500_000] *= 1.5  # a spike the reduced lines must keep
    equity = 10_000 * close / close[0]
    peak = np.maximum.accumulate(equity)
    entries = np.sort(rng.choice(count - 10, 3000, replace=False))
    trades = [
        {
            "direction": "long",
            "quantity": 0.3,
            "entry_time": START + int(i) * MINUTE,
            "entry_price": float(close[i]),
            "exit_time": START + int(i + 5) * MINUTE,
            "exit_price": float(close[i + 5]),
            "fees": 1.0,
            "pnl": 2.0,
            "return": 0.001,
        }
        for i in entries.tolist()
    ]
    document = small_document()
    document["trades"] = trades
    document["series"] = {
        "time": (START + np.arange(count) * MINUTE).tolist(),
        "open": close.tolist(),
        "high": (close * 1.001).tolist(),
        "low": (close * 0.999).tolist(),
        "close": close.tolist(),
        "equity": equity.tolist(),
        "buy_and_hold": equity.tolist(),
        "drawdown": (equity / peak - 1).tolist(),
    }
    return document


@pytest.fixture(scope="module")
def million() -> str:
    return render_report(million_bar_document())


def path_points(d: str) -> int:
    return len(re.findall(r"[ML]", d))


def test_a_million_bars_make_a_small_page(million: str) -> None:
    text = million
    assert len(text.encode()) < 1_000_000
    page = Page(text)
    assert page.errors == []
    (wicks,) = page.with_class("wick")
    assert path_points(wicks["d"]) <= MAX_CANDLES
    bodies = page.with_class("rise")[0]["d"] + page.with_class("fall")[0]["d"]
    assert path_points(bodies) == path_points(wicks["d"]) >= MAX_CANDLES - 10
    for css_class in ("equity", "hold", "drawdown"):
        line = page.with_class(css_class)[0]["d"]
        closing = 2 if css_class == "drawdown" else 0  # the area's way back along zero
        assert 1000 < path_points(line) - closing <= MAX_LINE_POINTS
    assert len(page.with_class("entry")) == len(page.with_class("exit")) == 400
    assert "Markers for 400 of 3,000 trades" in text
    assert "Each candle aggregates 1,667 bars." in text
    assert len(table_with(page, "Direction")) == 1 + 1000
    assert "The first 1,000 of 3,000 trades; 2,000 left out." in text


def test_reduced_lines_keep_the_spikes() -> None:
    values = np.zeros(1_000_000)
    values[123_457] = 5.0
    values[876_543] = -7.0
    positions, reduced = downsample_min_max(values)
    assert len(reduced) <= MAX_LINE_POINTS
    assert reduced.max() == 5.0
    assert reduced.min() == -7.0
    assert positions[reduced.argmax()] == 123_457
    assert positions[reduced.argmin()] == 876_543
    assert np.all(np.diff(positions) > 0)


def test_candles_take_the_first_open_the_extremes_and_the_last_close() -> None:
    def floats(*values: float) -> np.ndarray:
        return np.array(values, dtype=np.float64)

    candles = aggregate_candles(
        floats(np.nan, 2, 3, 4, 5),
        floats(5, 9, 7, 6, 8),
        floats(1, 2, 0.5, 3, 4),
        floats(2, 3, 4, 5, np.nan),
        max_candles=2,
    )
    assert candles.width == 3
    assert candles.open.tolist() == [2, 4]
    assert candles.high.tolist() == [9, 8]
    assert candles.low.tolist() == [0.5, 3]
    assert candles.close.tolist() == [4, 5]


@pytest.mark.parametrize(
    ("key", "value", "text"),
    [
        ("total_return", 0.23456, "23.46 %"),
        ("annualized_return", -1.5, "-150.00 %"),
        ("volatility", 0.2, "20.00 %"),
        ("average_trade", None, "—"),
        ("sharpe", float("nan"), "—"),
        ("profit_factor", float("inf"), "∞"),
        ("sortino", 0.01234, "0.01234"),
        ("max_drawdown_duration", 86_400_000, "1 d"),
        ("end", 1_764_067_140_000, "2025-11-25 10:39 UTC"),
        ("open_trades", 1, "1"),
    ],
)
def test_statistics_format_by_their_names(key: str, value: object, text: str) -> None:
    assert format_statistic(key, value) == text


def test_durations_show_their_two_largest_units() -> None:
    assert format_duration(0) == "0 s"
    assert format_duration(30_500) == "30.5 s"
    assert format_duration(42 * MINUTE) == "42 min"
    assert format_duration(3 * 86_400_000 + 5 * MINUTE) == "3 d 5 min"
    assert format_duration(26 * 3_600_000 + 5 * MINUTE) == "1 d 2 h"


def test_an_empty_document_still_makes_a_page() -> None:
    page = Page(render_report({}))
    assert page.errors == []
    assert page.count("svg") == 0
    text = render_report({})
    assert "No statistics." in text
    assert "no series" in text
    assert "No trades." in text


def test_no_trades_and_no_series() -> None:
    document = small_document()
    document["trades"] = []
    del document["series"]
    document["sweep"] = None
    document["statistics"] = dict.fromkeys(document["statistics"])
    text = render_report(document)
    page = Page(text)
    assert page.errors == []
    assert page.count("svg") == 0
    assert "No trades." in text
    rows = table_with(page, "Statistic")
    assert all(row[1] == "—" for row in rows[1:])


def test_a_single_bar_and_missing_values_in_the_series() -> None:
    document = small_document()
    one_bar = {key: values[:1] for key, values in document["series"].items()}
    document["series"] = one_bar
    page = Page(render_report(document))
    assert page.errors == []
    assert page.count("svg") == 4
    assert len(page.with_class("entry")) == 2  # both placed on the one bar

    gappy = small_document()
    for key in ("open", "close", "equity", "drawdown"):
        gappy["series"][key][2] = None
    gappy["series"]["buy_and_hold"] = [None] * 6  # nothing to draw for it
    gappy["series"]["high"][3] = float("nan")
    page = Page(render_report(gappy))
    assert page.errors == []
    equity = page.with_class("equity")[0]["d"]
    assert equity.count("M") == 2  # broken at the missing value


def test_the_document_is_not_changed() -> None:
    document = small_document()
    before = copy.deepcopy(document)
    render_report(document)
    assert document == before
