"""The lines of ``paperex watch``: price tags, times, the exact average, thresholds, formats."""

from __future__ import annotations

import json
from decimal import Decimal

import msgspec
import pytest

from paperex.domain import Side
from paperex.marketdata.events import Kline, Trade
from paperex.marketdata.watch.lines import (
    BELL,
    GREEN,
    RED,
    LineStyle,
    LineWriter,
    OutputFormat,
    PriceTag,
    ohlc_average,
)

TIME_MS = 1725842832003  # 2024-09-09 00:47:12.003 UTC


def kline(close: str = "65000.12", *, closed: bool = False) -> Kline:
    return Kline(
        venue="test",
        symbol="BTCUSDT",
        event_time=TIME_MS,
        received_at=TIME_MS,
        interval="1m",
        open_time=TIME_MS - 12003,
        close_time=TIME_MS + 47996,
        open=Decimal("64990.00"),
        high=Decimal("65010.50"),
        low=Decimal("64980.01"),
        close=Decimal(close),
        volume=Decimal("3.14159"),
        quote_volume=Decimal("204203.35"),
        trade_count=42,
        closed=closed,
    )


def trade(price: str, side: Side = Side.BUY) -> Trade:
    return Trade(
        venue="test",
        symbol="BTCUSDT",
        event_time=TIME_MS,
        received_at=TIME_MS,
        trade_id=7,
        price=Decimal(price),
        quantity=Decimal("0.006"),
        trade_time=TIME_MS,
        aggressor=side,
    )


def text_lines(events: list[Kline | Trade], **style: object) -> list[str]:
    writer = LineWriter(LineStyle(**style), trades=isinstance(events[0], Trade))  # type: ignore[arg-type]
    return [line for event in events for line in writer.lines(event)]


@pytest.mark.parametrize(
    ("tag", "shown"),
    [
        ("o", "o 64990.00"),
        ("h", "h 65010.50"),
        ("l", "l 64980.01"),
        ("c", "c 65000.12"),
        ("v", "v 3.14159"),
    ],
)
@pytest.mark.parametrize(
    ("convert", "time"), [(False, "1725842832003"), (True, "2024-09-09 00:47:12.003")]
)
def test_a_kline_line_shows_the_tagged_price_at_its_time(
    tag: PriceTag, shown: str, convert: bool, time: str
) -> None:
    [line] = text_lines([kline()], price_tag=tag, convert_time=convert)
    assert line == (
        f"{time}  BTCUSDT 1m  {shown}  o 64990.00  h 65010.50  l 64980.01  c 65000.12  "
        "avg 64995.1575"
    )


def test_the_average_is_exact_and_never_in_exponent_notation() -> None:
    assert ohlc_average(kline()) == Decimal("64995.1575")
    tiny = msgspec.structs.replace(
        kline(), **dict.fromkeys(("open", "high", "low", "close"), Decimal("0.00000040"))
    )
    [line] = text_lines([tiny])
    assert "avg 0.00000040" in line
    assert "E" not in line


def test_a_closed_kline_says_so() -> None:
    [line] = text_lines([kline(closed=True)])
    assert line.endswith("avg 64995.1575  closed")


def test_trade_lines_show_price_quantity_and_side() -> None:
    lines = text_lines([trade("65000.1"), trade("64999.9", Side.SELL)], convert_time=True)
    assert lines == [
        "2024-09-09 00:47:12.003  BTCUSDT  65000.1  qty 0.006  buy",
        "2024-09-09 00:47:12.003  BTCUSDT  64999.9  qty 0.006  sell",
    ]


@pytest.mark.parametrize("bell", [True, False])
def test_crossing_the_min_price_either_way_prints_a_marked_line(bell: bool) -> None:
    lines = text_lines(
        [kline("64999.99"), kline("65000.01"), kline("65000.50"), kline("64999.00")],
        min_price=Decimal("65000"),
        bell=bell,
    )
    ring = BELL if bell else ""
    assert [line.rsplit("  ", 1)[-1] for line in lines] == [
        "below 65000",
        "above 65000",
        f"▲ crossed above 65000{ring}",
        "above 65000",
        "below 65000",
        f"▼ crossed below 65000{ring}",
    ]
    assert all(BELL not in line for line in lines if "crossed" not in line)


def test_a_price_equal_to_the_min_price_is_not_above_it() -> None:
    lines = text_lines([trade("65000"), trade("65000.01")], min_price=Decimal("65000"))
    assert lines[0].endswith("below 65000")
    assert lines[1].endswith("above 65000")
    assert lines[2] == f"▲ crossed above 65000{BELL}"


def test_json_lines_carry_exact_decimal_strings_and_the_crossing() -> None:
    lines = text_lines(
        [kline("64999.99"), kline("65000.01")],
        output=OutputFormat.JSON,
        min_price=Decimal("65000"),
    )
    first, second = map(json.loads, lines)
    assert first == {
        "time": "1725842832003",
        "symbol": "BTCUSDT",
        "interval": "1m",
        "tag": "c",
        "price": "64999.99",
        "open": "64990.00",
        "high": "65010.50",
        "low": "64980.01",
        "close": "64999.99",
        "average": "64995.125",
        "closed": False,
        "above": False,
        "crossed": None,
    }
    assert (second["above"], second["crossed"]) == (True, "above")
    assert BELL not in "".join(lines)


def test_csv_has_a_header_then_one_row_per_event() -> None:
    writer = LineWriter(LineStyle(output=OutputFormat.CSV), trades=True)
    rows = writer.header() + writer.lines(trade("65000.1")) + writer.lines(trade("1"))
    assert rows == [
        "time,symbol,price,quantity,side",
        "1725842832003,BTCUSDT,65000.1,0.006,buy",
        "1725842832003,BTCUSDT,1,0.006,buy",
    ]
    assert LineWriter(LineStyle(), trades=True).header() == []


def test_colour_marks_up_and_down_only_when_asked() -> None:
    prices = [trade("100"), trade("101"), trade("99"), trade("99")]
    coloured = text_lines(prices, colour=True)
    assert [line[:5] for line in coloured] == ["17258", GREEN, RED, "17258"]
    assert all("\033[" not in line for line in text_lines(prices))


def test_the_summary_counts_updates_and_keeps_high_low_and_last() -> None:
    writer = LineWriter(LineStyle(), trades=True)
    assert writer.tracker.summary() == "0 updates"
    for price in ("100.5", "102", "99.25", "101"):
        writer.lines(trade(price))
    assert writer.tracker.summary() == "4 updates  high 102  low 99.25  last 101"
