"""The figures of a day, by hand on a small day and against the Decimal reference on random
files; malformed files are refused with one line naming the line and column."""

from __future__ import annotations

import random
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paperex.analysis.figures import TOTAL, TickerFigures, analyze_trades_csv
from paperex.analysis.trades_csv import HEADER, TradesFileError, format_trade_row
from tests.analysis.reference import reference_rows

SMALL_DAY = (
    HEADER.decode()
    + """1,alice,AAPL,BUY,100,10,0.5,USD,2025-01-20T10:00:00.000000Z,manual,
2,alice,AAPL,SELL,110,4,0.2,USD,2025-01-20T11:00:00.000000Z,exchange,7
3,alice,AAPL,SELL,120.00,10,,,2025-01-20T12:00:00Z,manual,
6,bob,BTCUSDT,SELL,43000.5,0.5,0.001,BNB,2025-01-20T09:00:00.000000Z,exchange,12
5,bob,BTCUSDT,BUY,42000.25,0.75,21.0001875,USDT,2025-01-20T08:00:00+00:00,exchange,11
4,alice,AAPL,BUY,90,2.5,0.1,USD,2025-01-20T13:00:00.000000Z,manual,
"""
)


def at(hour: int) -> datetime:
    return datetime(2025, 1, 20, hour, tzinfo=UTC)


def by_ticker(rows: tuple[TickerFigures, ...]) -> dict[str, TickerFigures]:
    return {row.ticker: row for row in rows}


def test_a_small_day_by_hand() -> None:
    rows = analyze_trades_csv(SMALL_DAY.encode())
    assert [row.ticker for row in rows] == ["AAPL", "BTCUSDT", TOTAL]
    apple, bitcoin, total = rows
    # AAPL: buys 10@100, 2.5@90; sells 4@110, 10@120 (a flip from long 6 to short 4).
    # M = 12.5: proceeds 4x110 + 8.5x120 (the second sell in part) = 1460, cost 1225.
    assert apple == TickerFigures(
        ticker="AAPL",
        trades=4,
        buy_quantity=Decimal("12.5"),
        sell_quantity=Decimal(14),
        volume=Decimal("26.5"),
        notional=Decimal(2865),
        vwap=Decimal("108.113207547170"),  # 108.11320754716981..., half even at 12 places
        high=Decimal(120),
        low=Decimal(90),
        first_trade=at(10),
        last_trade=at(13),
        fees={"USD": Decimal("0.8")},
        realized_pnl=Decimal(235),
    )
    # BTCUSDT, rows out of time order: bought 0.75@42000.25 at 08:00, sold 0.5@43000.5 at 09:00.
    assert bitcoin.realized_pnl == Decimal("500.125")
    assert bitcoin.notional == Decimal("53000.4375")
    assert bitcoin.vwap == Decimal("42400.35")
    assert (bitcoin.first_trade, bitcoin.last_trade) == (at(8), at(9))
    assert bitcoin.fees == {"BNB": Decimal("0.001"), "USDT": Decimal("21.0001875")}
    assert total == TickerFigures(
        ticker=TOTAL,
        trades=6,
        buy_quantity=Decimal("13.25"),
        sell_quantity=Decimal("14.5"),
        volume=Decimal("27.75"),
        notional=Decimal("55865.4375"),
        vwap=None,
        high=None,
        low=None,
        first_trade=at(8),
        last_trade=at(13),
        fees={"BNB": Decimal("0.001"), "USD": Decimal("0.8"), "USDT": Decimal("21.0001875")},
        realized_pnl=Decimal("735.125"),
    )


def test_a_day_without_trades_has_a_zero_total() -> None:
    (total,) = analyze_trades_csv(HEADER)
    assert total.trades == 0
    assert total.volume == total.realized_pnl == 0
    assert total.first_trade is None


def test_prices_and_quantities_near_the_format_limits_stay_exact() -> None:
    """Products beyond an Int128 are summed in Python integers."""
    big = "999999999999999999.999999999999"
    text = HEADER.decode() + "".join(
        f"{n},u,BIG,{side},{big},{big},,,2025-01-20T10:00:0{n}.000000Z,manual,\n"
        for n, side in enumerate(["BUY", "SELL", "BUY"], start=1)
    )
    (row, _) = analyze_trades_csv(text.encode())
    assert row.notional == Decimal("2999999999999999999999999999994000000.000000000000000000000003")
    assert row.realized_pnl == 0
    assert_same_as_reference(text)


def assert_same_as_reference(text: str) -> None:
    expected = reference_rows(text)
    rows = analyze_trades_csv(text.encode())
    assert [row.ticker for row in rows] == list(expected)
    for row in rows:
        figures = asdict(row)
        del figures["ticker"]
        assert figures == expected[row.ticker], row.ticker


def decimals(integer_digits: int) -> st.SearchStrategy[Decimal]:
    whole = st.integers(min_value=0, max_value=10**integer_digits - 1)
    return st.builds(
        lambda units, places, fraction: (
            Decimal(f"{units}.{fraction:0{places}d}") if places else Decimal(units)
        ),
        whole,
        st.integers(min_value=0, max_value=12),
        st.integers(min_value=0, max_value=10**12 - 1),
    ).map(lambda value: value.quantize(Decimal(1)) if value == value.to_integral() else value)


@st.composite
def trades_files(draw: st.DrawFn) -> str:
    count = draw(st.integers(min_value=1, max_value=40))
    digits = draw(st.sampled_from([3, 6, 18]))
    positive = decimals(digits).filter(lambda value: value > 0)
    start = datetime(2025, 1, 20, tzinfo=UTC)
    lines = []
    for number in range(1, count + 1):
        fee = draw(st.none() | decimals(4))
        lines.append(
            format_trade_row(
                id=number,
                user="trader_1",
                ticker=draw(st.sampled_from(["AAPL", "BTCUSDT", "BRK.B"])),
                side=draw(st.sampled_from(["BUY", "SELL"])),
                price=draw(positive),
                quantity=draw(positive | st.integers(1, 1000).map(Decimal)),
                fee=fee,
                fee_asset="" if fee is None else draw(st.sampled_from(["", "USDT", "BNB"])),
                timestamp=start + timedelta(microseconds=draw(st.integers(0, 5_000))),
                source="manual",
                order_id=None,
            ).decode()
        )
    random.Random(draw(st.integers())).shuffle(lines)
    return HEADER.decode() + "".join(lines)


@settings(max_examples=150, deadline=None)
@given(trades_files())
def test_every_figure_equals_the_decimal_reference(text: str) -> None:
    assert_same_as_reference(text)


def with_line(line: str) -> bytes:
    good = "1,alice,AAPL,BUY,100,10,0.5,USD,2025-01-20T10:00:00.000000Z,manual,\n"
    return (HEADER.decode() + good + line + "\n").encode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            b"id,user,ticker,side,price,quantity,fee_asset,timestamp,source,order_id\n",
            "line 1: the header lacks column fee",
        ),
        (
            with_line("2,alice,AAPL,BUY,1e5,10,,,2025-01-20T10:00:00.000000Z,manual,"),
            "line 3, column price: '1e5' is not a plain decimal with at most 12 places",
        ),
        (
            with_line("2,alice,AAPL,BUY,1.1234567890123,10,,,2025-01-20T10:00:00Z,manual,"),
            "line 3, column price: '1.1234567890123' is not a plain decimal",
        ),
        (
            with_line("2,alice,AAPL,BUY,100,10,.5,USD,2025-01-20T10:00:00.000000Z,manual,"),
            "line 3, column fee: '.5' is not a plain decimal",
        ),
        (
            with_line("2,alice,AAPL,HOLD,100,10,,,2025-01-20T10:00:00.000000Z,manual,"),
            "line 3, column side: 'HOLD' is not BUY or SELL",
        ),
        (
            with_line("2,alice,AAPL,SELL,100,-2,,,2025-01-20T10:00:00.000000Z,manual,"),
            "line 3, column quantity: '-2'",
        ),
        (
            with_line("2,alice,AAPL,SELL,0,2,,,2025-01-20T10:00:00.000000Z,manual,"),
            "line 3, column price: '0' is not positive",
        ),
        (
            with_line("2,alice,AAPL,SELL,100,2,,,2025-01-32T10:00:00.000000Z,manual,"),
            "line 3, column timestamp: '2025-01-32T10:00:00.000000Z' is not a valid date",
        ),
        (
            with_line("x,alice,AAPL,SELL,100,2,,,2025-01-20T10:00:00.000000Z,manual,"),
            "line 3, column id: 'x' is not an integer",
        ),
        (with_line("2,alice,AAPL,SELL,100"), "line 3: 5 fields, expected 11"),
        (
            with_line("2,alice,aapl,SELL,100,2,,,2025-01-20T10:00:00.000000Z,manual,"),
            "line 3, column ticker: 'aapl' is not a ticker",
        ),
    ],
)
@pytest.mark.parametrize("read_in_place", [False, True], ids=["bytes", "path"])
def test_a_malformed_file_is_refused_naming_line_and_column(
    data: bytes, message: str, read_in_place: bool, tmp_path: Path
) -> None:
    source = tmp_path / "trades.csv" if read_in_place else data
    if isinstance(source, Path):
        source.write_bytes(data)
    with pytest.raises(TradesFileError) as refused:
        analyze_trades_csv(source)
    assert str(refused.value).startswith(message)
    assert "\n" not in str(refused.value)


def test_a_file_read_in_place_has_the_figures_of_its_bytes(tmp_path: Path) -> None:
    path = tmp_path / "trades.csv"
    path.write_text(SMALL_DAY)
    assert analyze_trades_csv(path) == analyze_trades_csv(SMALL_DAY.encode())
