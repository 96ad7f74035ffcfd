from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from paperex.backtest.bars import BarsError
from paperex.backtest.recording_bars import bars_from_recording
from paperex.domain import Side
from paperex.marketdata.events import Trade
from paperex.marketdata.feed import RawMessage
from paperex.marketdata.recording import RecordingHeader, RecordingWriter
from paperex.marketdata.synthetic import encode_event

MINUTE_0 = 1_706_659_200_000  # 2024-01-31T00:00:00Z, a minute's open
SECOND = 1_000
MINUTE = 60 * SECOND


def trade(symbol: str, at_ms: int, price: str, quantity: str, trade_id: int = 1) -> Trade:
    return Trade(
        venue="synthetic",
        symbol=symbol,
        event_time=at_ms,
        received_at=at_ms,
        trade_id=trade_id,
        price=Decimal(price),
        quantity=Decimal(quantity),
        trade_time=at_ms,
        aggressor=Side.BUY,
    )


def write_recording(
    path: Path, trades: list[Trade], *, symbol_map: dict[str, str] | None = None
) -> Path:
    """Trades as the synthetic venue sends them, each received when it happened, plus a message
    the parser refuses."""
    header = RecordingHeader(venue="synthetic", started_at=MINUTE_0, symbol_map=symbol_map or {})
    with RecordingWriter(path, header) as writer:
        writer.write(RawMessage(MINUTE_0, b'{"not": "an event"}'))
        for each in trades:
            writer.write(RawMessage(each.received_at, encode_event(each)))
    return path


def two_symbols(ending_at_ms: int) -> list[Trade]:
    return [
        trade("BTCUSDT", MINUTE_0 + 1 * SECOND, "100", "1"),
        trade("ETHUSDT", MINUTE_0 + 2 * SECOND, "9", "50"),
        trade("BTCUSDT", MINUTE_0 + 20 * SECOND, "105", "2"),
        trade("BTCUSDT", MINUTE_0 + 40 * SECOND, "98", "0.5"),
        trade("BTCUSDT", MINUTE_0 + 59 * SECOND, "101", "1"),
        # minute 1: the venue sends the 90 s trade before the 70 s one
        trade("BTCUSDT", MINUTE_0 + 90 * SECOND, "104", "2"),
        trade("ETHUSDT", MINUTE_0 + 95 * SECOND, "1", "1"),
        trade("BTCUSDT", MINUTE_0 + 50 * SECOND, "97", "1"),  # minute 0's, late
        trade("BTCUSDT", MINUTE_0 + 70 * SECOND, "102", "1"),
        # minute 2 has no BTCUSDT trade; minute 3 has one
        trade("ETHUSDT", MINUTE_0 + 150 * SECOND, "2", "1"),
        trade("BTCUSDT", MINUTE_0 + 3 * MINUTE + 5 * SECOND, "110", "0.25"),
        trade("ETHUSDT", ending_at_ms, "3", "1"),
    ]


FIRST_TWO_MINUTES = {
    "time": [MINUTE_0, MINUTE_0 + MINUTE],
    "open": [100, 102],
    "high": [105, 104],
    "low": [97, 102],
    "close": [101, 104],
    "volume": [5.5, 3],
}


def as_lists(path: Path, symbol: str, interval: str = "1m") -> dict[str, list[float]]:
    bars = bars_from_recording(path, symbol, interval)
    assert (bars.symbol, bars.interval) == (symbol, interval)
    names = ("time", "open", "high", "low", "close", "volume")
    return {name: getattr(bars, name).tolist() for name in names}


def test_a_symbols_trades_become_its_closed_candles(tmp_path: Path) -> None:
    ends_inside_minute_3 = MINUTE_0 + 3 * MINUTE + 30 * SECOND
    path = write_recording(tmp_path / "two.jsonl.gz", two_symbols(ends_inside_minute_3))
    assert as_lists(path, "BTCUSDT") == FIRST_TWO_MINUTES  # minute 3 is cut off by the end


def test_a_candle_the_recording_goes_past_is_closed(tmp_path: Path) -> None:
    after_minute_3 = MINUTE_0 + 4 * MINUTE + 1 * SECOND
    path = write_recording(tmp_path / "two.jsonl.gz", two_symbols(after_minute_3))
    minute_3 = {"time": [MINUTE_0 + 3 * MINUTE], "open": [110], "high": [110], "low": [110]}
    expected = {name: values + minute_3.get(name, []) for name, values in FIRST_TWO_MINUTES.items()}
    expected["close"] += [110]
    expected["volume"] += [0.25]
    assert as_lists(path, "BTCUSDT") == expected


def test_longer_intervals_and_the_other_symbol(tmp_path: Path) -> None:
    path = write_recording(tmp_path / "two.jsonl.gz", two_symbols(MINUTE_0 + 6 * MINUTE))
    assert as_lists(path, "BTCUSDT", "3m") == {
        "time": [MINUTE_0, MINUTE_0 + 3 * MINUTE],
        "open": [100, 110],
        "high": [105, 110],
        "low": [97, 110],
        "close": [104, 110],
        "volume": [8.5, 0.25],
    }
    assert as_lists(path, "ETHUSDT", "1m") == {
        "time": [MINUTE_0, MINUTE_0 + MINUTE, MINUTE_0 + 2 * MINUTE],
        "open": [9, 1, 2],
        "high": [9, 1, 2],
        "low": [9, 1, 2],
        "close": [9, 1, 2],
        "volume": [50, 1, 1],
    }


def test_symbols_are_renamed_by_the_recordings_symbol_map(tmp_path: Path) -> None:
    path = write_recording(
        tmp_path / "renamed.jsonl.gz",
        two_symbols(MINUTE_0 + 3 * MINUTE),
        symbol_map={"BTCUSDT": "XBTUSDT"},
    )
    assert as_lists(path, "XBTUSDT") == FIRST_TWO_MINUTES


@pytest.mark.parametrize(
    ("trades", "symbol", "interval", "message"),
    [
        (two_symbols(MINUTE_0 + 5 * MINUTE), "BTCUSDT", "7m", "unknown interval '7m'; known: 1s"),
        (two_symbols(MINUTE_0 + 5 * MINUTE), "BTCUSDT", "1M", "unknown interval '1M'"),
        (
            two_symbols(MINUTE_0 + 5 * MINUTE),
            "XRPUSDT",
            "1m",
            "{path}: no trades of XRPUSDT; it has trades of BTCUSDT, ETHUSDT",
        ),
        ([], "BTCUSDT", "1m", "{path}: no trades of BTCUSDT; it has no trades"),
    ],
)
def test_problems_are_one_line_bars_errors(
    tmp_path: Path, trades: list[Trade], symbol: str, interval: str, message: str
) -> None:
    path = write_recording(tmp_path / "problem.jsonl.gz", trades)
    with pytest.raises(BarsError) as raised:
        bars_from_recording(path, symbol, interval)
    assert str(raised.value).startswith(message.format(path=path))
    assert "\n" not in str(raised.value)


def test_a_file_that_is_not_a_recording_is_a_bars_error(tmp_path: Path) -> None:
    path = tmp_path / "bars.csv"
    path.write_text("time,close\n")
    with pytest.raises(BarsError, match=r"^.*bars\.csv: no complete header line$"):
        bars_from_recording(path, "BTCUSDT", "1m")
