"""Bars from a recording made by ``paperex record``: one symbol's trades folded into candles by
the live pipeline's ``CandleAggregator``, so a backtest sees the candles the exchange would have.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from operator import attrgetter
from pathlib import Path

from paperex.backtest.bars import Bars, BarsError
from paperex.marketdata.aggregation import INTERVAL_MILLISECONDS, CandleAggregator
from paperex.marketdata.errors import ParseError
from paperex.marketdata.events import Event, Kline, Trade
from paperex.marketdata.feed import Parser, parser_for, renaming_parser
from paperex.marketdata.recording import RecordingError, RecordingReader

_trade_time = attrgetter("trade_time")


def bars_from_recording(path: Path, symbol: str, interval: str) -> Bars:
    """The closed ``interval`` candles of ``symbol``'s trades in the recording at ``path``.

    Trades are taken in trade-time order; a candle is closed when the recording goes on past its
    close time, so the one cut off by the end of the recording is left out. Intervals without a
    trade have no bar. Messages the venue's parser refuses are skipped, as the live feed does.
    Raises BarsError for an unknown interval, a file that is not a recording, or no trades of
    ``symbol``, and OSError when the file cannot be read.
    """
    if interval not in INTERVAL_MILLISECONDS:
        raise BarsError(f"unknown interval {interval!r}; known: {', '.join(INTERVAL_MILLISECONDS)}")
    trades, symbols, end_ms = _recorded_trades(path, symbol)
    if not trades:
        have = f"it has trades of {', '.join(sorted(symbols))}" if symbols else "it has no trades"
        raise BarsError(f"{path}: no trades of {symbol}; {have}")
    return _bars_of(_closed_candles(trades, interval, end_ms), symbol, interval)


def _recorded_trades(path: Path, symbol: str) -> tuple[list[Trade], set[str], int]:
    """``symbol``'s trades in trade-time order, every symbol with a trade, and the recording's
    last receive time."""
    try:
        reader = RecordingReader(path)
        parse = renaming_parser(parser_for(reader.header.venue), reader.header.symbol_map)
    except (RecordingError, KeyError) as error:
        raise BarsError(str(error.args[0])) from None
    trades: list[Trade] = []
    symbols: set[str] = set()
    end_ms = 0
    for received_at, events in _parsed_messages(reader, parse):
        end_ms = max(end_ms, received_at)
        for event in events:
            if isinstance(event, Trade):
                symbols.add(event.symbol)
                if event.symbol == symbol:
                    trades.append(event)
    trades.sort(key=_trade_time)  # a venue may deliver a trade late; its candle still counts it
    return trades, symbols, end_ms


def _parsed_messages(reader: RecordingReader, parse: Parser) -> Iterator[tuple[int, list[Event]]]:
    """Each message's receive time and events; a message the parser refuses has none."""
    for batch in reader.batches():
        for message in batch:
            try:
                yield message.received_at, parse(message)
            except ParseError:
                yield message.received_at, []


def _closed_candles(trades: Sequence[Trade], interval: str, end_ms: int) -> list[Kline]:
    aggregator = CandleAggregator((interval,))
    candles = [candle for trade in trades for candle in aggregator.add_trade(trade)]
    return candles + aggregator.close_due(end_ms)


def _bars_of(candles: Sequence[Kline], symbol: str, interval: str) -> Bars:
    return Bars.from_arrays(
        [candle.open_time for candle in candles],
        [float(candle.close) for candle in candles],
        open=[float(candle.open) for candle in candles],
        high=[float(candle.high) for candle in candles],
        low=[float(candle.low) for candle in candles],
        volume=[float(candle.volume) for candle in candles],
        symbol=symbol,
        interval=interval,
    )
