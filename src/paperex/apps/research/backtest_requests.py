"""What a backtest asks for, checked before it is queued and read back when it runs: the data
(stored candles or an uploaded CSV), a built-in strategy with its parameters, and how signals
are filled. Every problem found while checking is a one-line PaperexError naming its field."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from paperex.apps.core.errors import ErrorCode, PaperexError
from paperex.apps.markets.models import Market
from paperex.apps.research.candles import market_filters, stored_bar_count, stored_bars
from paperex.backtest.bars import Bars, BarsError
from paperex.backtest.execution import Execution, ExecutionError
from paperex.backtest.run import BacktestError, require_enough_bars
from paperex.backtest.strategies import BUILT_IN, Strategy, StrategyError, make_strategy

DEFAULT_STRATEGY = "sma_cross"


@dataclass(frozen=True)
class MarketSource:
    """A market's stored candles at an interval, with an open time in [start, end)."""

    symbol: str
    interval: str
    start_ms: int | None = None
    end_ms: int | None = None

    def document(self) -> dict[str, Any]:
        return {
            "kind": "market",
            "symbol": self.symbol.upper(),
            "interval": self.interval,
            "start": _iso(self.start_ms),
            "end": _iso(self.end_ms),
        }


@dataclass(frozen=True)
class CsvSource:
    """An uploaded CSV file (see ``paperex.backtest.csv_bars``)."""

    name: str
    content: bytes

    def document(self) -> dict[str, Any]:
        return {"kind": "csv", "name": self.name}


Source = MarketSource | CsvSource


def invalid(field: str, message: str, code: ErrorCode = ErrorCode.INVALID) -> PaperexError:
    """A 400 naming ``field``."""
    return PaperexError(code, message, fields={field: [message]})


def checked_request(
    *, source: Source, strategy: str, parameters: dict[str, Any], execution: dict[str, Any]
) -> dict[str, Any]:
    """The request as stored, once its data, strategy and execution can run; the execution's
    fee (when not given), step size and minimum notional come from a market source's market.
    Raises PaperexError."""
    if isinstance(source, MarketSource) and not _market_exists(source.symbol):
        message = f"no market {source.symbol.upper()}"
        raise invalid("symbol", message, ErrorCode.UNKNOWN_SYMBOL)
    chosen = checked_strategy(strategy, parameters)
    filled = checked_execution(execution, source)
    _check_enough_bars(source, chosen)
    return {
        "source": source.document(),
        "strategy": chosen.name,
        "parameters": dataclasses.asdict(chosen),
        "execution": dataclasses.asdict(filled),
    }


def checked_strategy(name: str, parameters: dict[str, Any]) -> Strategy:
    """A built-in strategy (over the API a file of code is never loaded) with ``parameters``."""
    if name not in BUILT_IN:
        message = f"unknown strategy {name!r}: use one of {', '.join(BUILT_IN)}"
        raise invalid("strategy", message)
    try:
        return make_strategy(BUILT_IN[name], parameters)
    except StrategyError as error:
        raise invalid("parameters", str(error)) from None


def checked_execution(settings: dict[str, Any], source: Source) -> Execution:
    """The execution of ``settings``; a market source adds its market's fee and filters."""
    given = {name: value for name, value in settings.items() if value is not None}
    if isinstance(source, MarketSource):
        filters = market_filters(source.symbol)
        given = {**filters, **given}
    try:
        return Execution(**given)
    except ExecutionError as error:
        raise invalid(_execution_field(str(error)), str(error)) from None


def _execution_field(message: str) -> str:
    first_word = message.split()[0]
    return {"slippage": "slippage_bps", "step": "step_size", "minimum": "min_notional"}.get(
        first_word, first_word
    )


def _check_enough_bars(source: Source, strategy: Strategy) -> None:
    if isinstance(source, CsvSource):
        count = len(csv_bars(source.content))
        field = "csv"
    else:
        try:
            count = stored_bar_count(source.symbol, source.interval, source.start_ms, source.end_ms)
        except BarsError as error:
            raise invalid("interval", str(error)) from None
        if count == 0:
            message = (
                f"no stored {source.interval} candles of {source.symbol.upper()} in that range"
            )
            raise invalid("start", message, ErrorCode.NO_MARKET_DATA)
        field = "start"
    # run_backtest's own check, made before the run is queued so that it is a 400.
    try:
        require_enough_bars(strategy, count)
    except BacktestError as error:
        raise invalid(field, str(error)) from None


def csv_bars(content: bytes) -> Bars:
    """The bars of an uploaded CSV; raises PaperexError (malformed_file) when it cannot be
    read."""
    # polars loads in about a second: only when a CSV is read, not when the URLs are.
    from paperex.backtest.csv_bars import read_bars_csv

    try:
        return read_bars_csv(content)
    except BarsError as error:
        raise invalid("csv", str(error), ErrorCode.MALFORMED_FILE) from None


def requested_bars(request: dict[str, Any], csv: bytes | memoryview | None) -> Bars:
    """The bars a stored request names: its CSV's, or its market's stored candles now.
    Raises BarsError or PaperexError."""
    source = request["source"]
    if source["kind"] == "csv":
        return csv_bars(bytes(csv or b""))
    return stored_bars(
        source["symbol"], source["interval"], _ms(source["start"]), _ms(source["end"])
    )


def requested_strategy(request: dict[str, Any]) -> Strategy:
    """The strategy a stored request names, with its parameters."""
    return make_strategy(BUILT_IN[request["strategy"]], request["parameters"])


def requested_execution(request: dict[str, Any]) -> Execution:
    """The execution a stored request names."""
    return Execution(**request["execution"])


def _market_exists(symbol: str) -> bool:
    return Market.objects.filter(symbol=symbol.upper()).exists()


def _iso(milliseconds: int | None) -> str | None:
    if milliseconds is None:
        return None
    moment = datetime.fromtimestamp(milliseconds / 1000, UTC)
    return moment.isoformat().replace("+00:00", "Z")


def _ms(text: str | None) -> int | None:
    if text is None:
        return None
    return round(datetime.fromisoformat(text).timestamp() * 1000)
