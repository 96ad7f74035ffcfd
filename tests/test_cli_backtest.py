"""`paperex backtest`: a CSV, the stored candles, a sweep, JSON and an HTML report; bad input is
one line and exit status 2."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import override_settings

from paperex.apps.markets.models import Candle
from paperex.backtest.bars import Bars
from paperex.backtest.execution import Execution
from paperex.backtest.random_walk import random_walk_bars
from paperex.backtest.run import run_backtest
from paperex.backtest.strategies import SmaCross
from paperex.cli import main
from tests.marketdata.fakes.binance_rest import FakeBinanceRestServer, symbol_info
from tests.support.factories import MarketFactory
from tests.test_cli import run_cli


@pytest.fixture(scope="module")
def bars_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    bars = random_walk_bars(3_000, seed=5)
    lines = ["Date,Open,High,Low,Close,Volume"]
    for index in range(len(bars)):
        moment = datetime.fromtimestamp(int(bars.time[index]) / 1000, UTC)
        prices = (bars.open, bars.high, bars.low, bars.close, bars.volume)
        lines.append(",".join([moment.isoformat(), *(str(p[index]) for p in prices)]))
    path = tmp_path_factory.mktemp("bars") / "btc.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_a_csv_backtest_prints_the_figures_beside_buy_and_hold_and_writes_a_report(
    bars_csv: Path, tmp_path: Path
) -> None:
    report = tmp_path / "report.html"
    result = run_cli(
        "backtest",
        "--csv",
        str(bars_csv),
        "--symbol",
        "btcusdt",
        "--fast",
        "10",
        "--slow=40",
        "--sweep",
        "fast=5:15:5,slow=30:50:10",
        "--report",
        str(report),
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("sma_cross (fast=10, slow=40) on BTCUSDT 1m: 3,000 bars")
    assert any(line.startswith("total return") and line.count("%") == 2 for line in lines)
    assert any(line.startswith("sweep: best total_return") for line in lines)
    assert "100%  9/9 runs" in result.stderr
    page = report.read_text()
    assert page.startswith("<!DOCTYPE html>")
    assert page.count("<svg") >= 4  # candles, equity, drawdown, the sweep's heatmap


def test_json_has_the_statistics_and_every_trade(bars_csv: Path) -> None:
    result = run_cli(
        "backtest", "--csv", str(bars_csv), "--strategy", "ema_cross", "--fee", "0", "--json"
    )
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["strategy"] == {"name": "ema_cross", "parameters": {"fast": 12, "slow": 26}}
    assert document["execution"]["fee"] == 0
    assert document["statistics"]["trades"] == sum(
        1 for trade in document["trades"] if trade["exit_time"] is not None
    )
    assert document["statistics"]["trades"] > 10
    assert "series" not in document


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--strategy", "nope"], "backtest: unknown strategy 'nope'"),
        (["--slow", "10"], r"backtest: sma_cross: slow \(10\) must be above fast \(50\)"),
        (["--speed", "3"], "backtest: sma_cross has no parameter 'speed'"),
        (["--slow", "5000"], "backtest: sma_cross needs more than 5000 bars; the data has 3000"),
        (["--sweep", "fast=9:1:1"], "backtest: sweep: 'fast=9:1:1' needs start:stop:step"),
    ],
)
def test_bad_input_is_one_line_and_exit_status_2(
    bars_csv: Path, arguments: list[str], message: str
) -> None:
    result = run_cli("backtest", "--csv", str(bars_csv), *arguments)
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert re.match(f"paperex: {message}", result.stderr)


def test_a_csv_without_a_close_column_is_one_line(tmp_path: Path) -> None:
    data = tmp_path / "bad.csv"
    data.write_text("time,open\n2024-01-01,1\n")
    result = run_cli("backtest", "--csv", str(data))
    assert result.returncode == 2
    assert result.stderr.startswith("paperex: backtest: no close column")


def test_other_commands_still_refuse_unknown_arguments() -> None:
    result = run_cli("seed", "--fast", "3")
    assert result.returncode == 2
    assert "unrecognized arguments: --fast 3" in result.stderr


@pytest.mark.django_db
def test_the_stored_candles_and_the_markets_fee_are_the_default(
    capsys: pytest.CaptureFixture[str],
) -> None:
    market = MarketFactory(taker_fee_rate=Decimal("0.002"))
    bars = random_walk_bars(400, seed=2)
    Candle.objects.bulk_create(
        Candle(
            market=market,
            interval="1m",
            open_time=int(bars.time[i]),
            close_time=int(bars.time[i]) + 59_999,
            open=Decimal(str(bars.open[i])),
            high=Decimal(str(bars.high[i])),
            low=Decimal(str(bars.low[i])),
            close=Decimal(str(bars.close[i])),
            volume=Decimal(1),
            quote_volume=Decimal(1),
            trade_count=1,
        )
        for i in range(len(bars))
    )
    main(["backtest", "--symbol", "BTCUSDT", "--fast", "5", "--slow", "20", "--json"])
    document = json.loads(capsys.readouterr().out)
    assert document["bars"]["count"] == 400
    assert document["execution"]["fee"] == 0.002
    assert document["execution"]["step_size"] == 0.00001


def kline_rows(bars: Bars) -> list[list[object]]:
    """The bars as Binance's kline rows (1m, long closed)."""
    return [
        [
            int(bars.time[i]),
            str(bars.open[i]),
            str(bars.high[i]),
            str(bars.low[i]),
            str(bars.close[i]),
            "1.0",
            int(bars.time[i]) + 59_999,
            str(bars.close[i]),
            1,
            "0",
            "0",
            "0",
        ]
        for i in range(len(bars))
    ]


@pytest.mark.django_db
async def test_binance_klines_with_the_symbols_filters(
    capsys: pytest.CaptureFixture[str],
) -> None:
    bars = random_walk_bars(2_500, seed=4)
    async with FakeBinanceRestServer() as venue:
        venue.symbols = [symbol_info("ETHBTC", "ETH", "BTC", "0.00001", "0.0001", "0.0001")]
        venue.klines[("ETHBTC", "1m")] = kline_rows(bars)
        arguments = ["backtest", "--binance", "--symbol", "ethbtc", "--fast", "5", "--slow", "20"]
        start, end = int(bars.time[100]), int(bars.time[2_200])
        with override_settings(PAPEREX_BINANCE_REST_URL=venue.url):
            await asyncio.to_thread(
                main, [*arguments, "--start", iso(start), "--end", iso(end), "--json"]
            )
            document = json.loads(capsys.readouterr().out)
            requests = [path for path, _ in venue.requests]
            with pytest.raises(SystemExit):
                await asyncio.to_thread(main, ["backtest", "--binance", "--symbol", "NOPE"])
    assert requests == [
        "/api/v3/exchangeInfo",
        "/api/v3/klines",
        "/api/v3/klines",
        "/api/v3/klines",
    ]
    assert (document["bars"]["count"], document["bars"]["start"]) == (2_100, start)
    assert document["execution"]["step_size"] == 0.0001
    assert document["execution"]["min_notional"] == 0.0001
    expected = run_backtest(
        bars.between(start, end),
        SmaCross(fast=5, slow=20),
        Execution(step_size=0.0001, min_notional=0.0001),
    )
    final_equity = expected.statistics.final_equity
    assert document["statistics"]["final_equity"] == pytest.approx(final_equity, abs=1e-8)
    assert "paperex: backtest: binance: " in capsys.readouterr().err


def iso(milliseconds: int) -> str:
    return datetime.fromtimestamp(milliseconds / 1000, UTC).isoformat()
