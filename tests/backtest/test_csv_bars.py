from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from paperex.backtest.bars import BarsError
from paperex.backtest.csv_bars import infer_interval, read_bars_csv

JAN_31 = 1_706_659_200_000  # 2024-01-31T00:00:00Z in ms
MINUTE = 60_000
HOUR = 60 * MINUTE
DAY = 24 * HOUR


def csv(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


def test_every_column_is_read_in_utc_ms_and_float64() -> None:
    bars = read_bars_csv(
        csv(
            "time,open,high,low,close,volume",
            "2024-01-31T00:00:00Z,10,12,9,11,100",
            "2024-01-31T00:01:00Z,11,13,10.5,12.25,0",
        ),
        symbol="BTCUSDT",
    )
    assert bars.time.tolist() == [JAN_31, JAN_31 + MINUTE]
    assert bars.time.dtype == np.int64
    assert bars.open.tolist() == [10, 11]
    assert bars.high.tolist() == [12, 13]
    assert bars.low.tolist() == [9, 10.5]
    assert bars.close.tolist() == [11, 12.25]
    assert bars.volume.tolist() == [100, 0]
    assert all(array.dtype == np.float64 for array in bars.prices)
    assert (bars.symbol, bars.interval) == ("BTCUSDT", "1m")


def test_a_path_reads_like_its_bytes(tmp_path: Path) -> None:
    data = csv("date,close", "2024-01-31,1", "2024-02-01,2")
    path = tmp_path / "bars.csv"
    path.write_bytes(data)
    from_path, from_bytes = read_bars_csv(path), read_bars_csv(data)
    assert from_path.time.tolist() == from_bytes.time.tolist() == [JAN_31, JAN_31 + DAY]
    assert from_path.close.tolist() == from_bytes.close.tolist() == [1, 2]


def test_time_and_close_alone_make_flat_bars_without_volume() -> None:
    bars = read_bars_csv(csv("time,close", "2024-01-31,5", "2024-02-01,6"))
    assert bars.open.tolist() == bars.high.tolist() == bars.low.tolist() == [5, 6]
    assert bars.volume.tolist() == [0, 0]


@pytest.mark.parametrize(
    "header",
    [
        "Time,Close",
        " DATE , CLOSE ",
        "datetime,close",
        "Timestamp,Price",
        "open_time,close",
        "Date/Time,Close",
        "\ufeffDate,Close",  # a byte-order mark, as spreadsheets write
        "symbol,date,close,close_time",
        "Close,Date",
    ],
)
def test_column_names_are_trimmed_case_insensitive_and_in_any_order(header: str) -> None:
    names = [name.strip().lstrip("\ufeff").lower() for name in header.split(",")]
    values = {"symbol": "X", "close_time": "9", "close": "7", "price": "7"}
    rows = [
        ",".join(values.get(name, day) for name in names) for day in ("2024-01-31", "2024-02-01")
    ]
    bars = read_bars_csv(csv(header, *rows))
    assert bars.time.tolist() == [JAN_31, JAN_31 + DAY]
    assert bars.close.tolist() == [7, 7]


def test_the_first_accepted_time_name_wins_and_close_beats_price() -> None:
    bars = read_bars_csv(csv("date,time,price,close", "x,2024-01-31,1,2", "y,2024-02-01,1,3"))
    assert bars.time.tolist() == [JAN_31, JAN_31 + DAY]
    assert bars.close.tolist() == [2, 3]


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        ("2024-01-31", "2024-02-01", [JAN_31, JAN_31 + DAY]),
        ("2024-01-31T01:02:03", "2024-01-31T01:02:04", [JAN_31 + 3_723_000, JAN_31 + 3_724_000]),
        ("2024-01-31 01:02:03", "2024-01-31 01:02:04", [JAN_31 + 3_723_000, JAN_31 + 3_724_000]),
        ("2024-01-31T01:02", "2024-01-31 01:03", [JAN_31 + 62 * MINUTE, JAN_31 + 63 * MINUTE]),
        ("2024-01-31T00:00:00.250", "2024-01-31T00:00:00.5", [JAN_31 + 250, JAN_31 + 500]),
        ("2024-01-31T00:00:00Z", "2024-01-31T00:00:01Z", [JAN_31, JAN_31 + 1_000]),
        ("2024-01-31T02:00:00+02:00", "2024-01-31T02:00:00+01:00", [JAN_31, JAN_31 + HOUR]),
        ("2024-01-30 19:00:00-05:00", "2024-01-30T19:30-0500", [JAN_31, JAN_31 + 30 * MINUTE]),
        ("2024-01-31T05:30:00.5+05:30", "2024-01-31T00:00:01Z", [JAN_31 + 500, JAN_31 + 1_000]),
        ("1706659200", "1706659260", [JAN_31, JAN_31 + MINUTE]),  # epoch seconds
        ("1706659200.5", "1706659201", [JAN_31 + 500, JAN_31 + 1_000]),
        ("1706659200000", "1706659260000", [JAN_31, JAN_31 + MINUTE]),  # epoch milliseconds
        (" 2024-01-31 ", "\t1706745600", [JAN_31, JAN_31 + DAY]),  # trimmed, forms mixed
    ],
)
def test_dates_date_times_and_epoch_numbers_become_utc_ms(
    first: str, second: str, expected: list[int]
) -> None:
    bars = read_bars_csv(csv("time,close", f"{first},1", f"{second},1"))
    assert bars.time.tolist() == expected


def test_epoch_numbers_below_1e11_are_seconds_and_others_milliseconds() -> None:
    bars = read_bars_csv(csv("time,close", "100000000000,1", "99999999999,1"))
    assert bars.time.tolist() == [100_000_000_000, 99_999_999_999_000]


@pytest.mark.parametrize(
    ("step_ms", "interval"),
    [
        (1_000, "1s"),
        (MINUTE, "1m"),
        (3 * MINUTE, "3m"),
        (5 * MINUTE, "5m"),
        (15 * MINUTE, "15m"),
        (30 * MINUTE, "30m"),
        (HOUR, "1h"),
        (2 * HOUR, "2h"),
        (4 * HOUR, "4h"),
        (6 * HOUR, "6h"),
        (8 * HOUR, "8h"),
        (12 * HOUR, "12h"),
        (DAY, "1d"),
        (3 * DAY, "3d"),
        (7 * DAY, "1w"),
        (2 * MINUTE, ""),
        (1_500, ""),
    ],
)
def test_the_interval_is_the_median_spacing_when_standard(step_ms: int, interval: str) -> None:
    rows = [f"{JAN_31 + i * step_ms},1" for i in range(5)]
    assert read_bars_csv(csv("time,close", *rows)).interval == interval


def test_the_median_spacing_ignores_gaps_like_weekends() -> None:
    weekdays = [JAN_31 + day * DAY for day in (0, 1, 2, 5, 6, 7, 8, 9, 12)]
    assert infer_interval(np.array(weekdays, dtype=np.int64)) == "1d"


@pytest.mark.parametrize("times", [[], [JAN_31]])
def test_fewer_than_two_times_have_no_interval(times: list[int]) -> None:
    assert infer_interval(np.array(times, dtype=np.int64)) == ""


def test_a_given_interval_is_kept() -> None:
    bars = read_bars_csv(csv("time,close", "2024-01-31,1", "2024-02-01,2"), interval="1h")
    assert bars.interval == "1h"


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([], "the CSV is empty"),
        (["time,close"], "the CSV has no rows after its header"),
        (
            ["when,open,close", "2024-01-31,1,1"],
            "no time column (one of time, date, datetime, timestamp, open_time, date/time); "
            "found: 'when', 'open', 'close'",
        ),
        (
            ["Date,Adj Close", "2024-01-31,1"],
            "no close column (one of close, price); found: 'Date', 'Adj Close'",
        ),
        (
            ["time,close", "2024-01-31,1", "31/01/2024,1"],
            "line 3: time '31/01/2024' is not a date, a date-time or an epoch number",
        ),
        (
            ["time,close", "2024-02-30,1"],
            "line 2: time '2024-02-30' is not a date, a date-time or an epoch number",
        ),
        (
            ["time,close", "nan,1"],
            "line 2: time 'nan' is not a date, a date-time or an epoch number",
        ),
        (["Time,close", "2024-01-31,1", ",1"], "line 3: Time is missing"),
        (["time,close", "2024-01-31,1", ""], "line 3: time is missing"),
        (
            ["time,close", "2024-01-31,1", "2024-02-02,1", "2024-02-01,1"],
            "line 4: time '2024-02-01' is before the previous one ('2024-02-02')",
        ),
        (
            ["time,close", "2024-01-31T00:00:00Z,1", "2024-01-31T01:00:00+01:00,1"],
            "line 3: time '2024-01-31T01:00:00+01:00' repeats the previous one "
            "('2024-01-31T00:00:00Z')",
        ),
        (["time,close", "2024-01-31,1", "2024-02-01,abc"], "line 3: close 'abc' is not a number"),
        (["time,close", "2024-01-31,inf"], "line 2: close 'inf' is not a number"),
        (["time,close", "2024-01-31,1", "2024-02-01, "], "line 3: close is missing"),
        (["time,close", "2024-01-31,1", "2024-02-01,0"], "line 3: close '0' is not > 0"),
        (["time,Price", "2024-01-31,-2.5"], "line 2: Price '-2.5' is not > 0"),
        (["time,close,OPEN", "2024-01-31,1,x"], "line 2: OPEN 'x' is not a number"),
        (["time,close,high", "2024-01-31,1,0"], "line 2: high '0' is not > 0"),
        (["time,close,low", "2024-01-31,1,"], "line 2: low is missing"),
        (["time,close,volume", "2024-01-31,1,1e3", "2024-02-01,1,-1"], "line 3: volume '-1'"),
        (["time,close", "2024-01-31,1,2"], "the CSV cannot be read: "),
    ],
)
def test_each_problem_is_one_line_naming_the_line_and_column(
    lines: list[str], message: str
) -> None:
    with pytest.raises(BarsError) as raised:
        read_bars_csv(csv(*lines) if lines else b"")
    assert str(raised.value).startswith(message)
    assert "\n" not in str(raised.value)


def test_the_first_bad_line_is_named_when_many_are_bad() -> None:
    rows = [f"{JAN_31 + i * MINUTE},{'bad' if i in (500, 700) else 1}" for i in range(1_000)]
    with pytest.raises(BarsError, match=r"^line 502: close 'bad' is not a number$"):
        read_bars_csv(csv("time,close", *rows))
