"""Paperex's market events in the payload shapes of Binance's market streams: Binance's
one-letter keys, amounts as strings written as ``/api/v3`` writes them, times in ms."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from paperex.apps.binance.wire import ZERO, Row, binance_amount, ticker_24hr
from paperex.marketdata.events import Kline, MiniTicker, PriceLevel, Ticker24h

NO_TRADE_ID = -1
"""Paperex's candles and tickers keep no trade ids: ``/api/v3`` writes -1 as well."""


def _amount(text: str) -> str:
    return binance_amount(Decimal(text))


def trade_payload(trade: dict[str, Any], event_time: int) -> Row:
    """A ``market.trade`` message (a PublicTradeView) as a ``<symbol>@trade`` event; the same
    values as the trade's ``/api/v3/trades`` entry."""
    return {
        "e": "trade",
        "E": event_time,
        "s": trade["symbol"],
        "t": trade["trade_id"],
        "p": _amount(trade["price"]),
        "q": _amount(trade["quantity"]),
        "T": trade["time"],
        "m": trade["taker_side"] == "SELL",
        "M": True,
    }


def aggregate_trade_payload(trade: dict[str, Any], event_time: int) -> Row:
    """A ``market.trade`` message as an ``<symbol>@aggTrade`` event: each trade is its own
    aggregate, as in ``/api/v3/aggTrades``."""
    return {
        "e": "aggTrade",
        "E": event_time,
        "s": trade["symbol"],
        "a": trade["trade_id"],
        "p": _amount(trade["price"]),
        "q": _amount(trade["quantity"]),
        "f": trade["trade_id"],
        "l": trade["trade_id"],
        "T": trade["time"],
        "m": trade["taker_side"] == "SELL",
        "M": True,
    }


def kline_payload(candle: Kline) -> Row:
    """A candle update as a ``<symbol>@kline_<interval>`` event. Paperex does not split volume
    by the taker's side, so the taker-buy volumes are zero, as in ``/api/v3/klines``."""
    return {
        "e": "kline",
        "E": candle.event_time,
        "s": candle.symbol,
        "k": {
            "t": candle.open_time,
            "T": candle.close_time,
            "s": candle.symbol,
            "i": candle.interval,
            "f": NO_TRADE_ID,
            "L": NO_TRADE_ID,
            "o": binance_amount(candle.open),
            "c": binance_amount(candle.close),
            "h": binance_amount(candle.high),
            "l": binance_amount(candle.low),
            "v": binance_amount(candle.volume),
            "n": candle.trade_count,
            "x": candle.closed,
            "q": binance_amount(candle.quote_volume),
            "V": binance_amount(ZERO),
            "Q": binance_amount(ZERO),
            "B": "0",
        },
    }


TICKER_KEYS = {
    "p": "priceChange",
    "P": "priceChangePercent",
    "w": "weightedAvgPrice",
    "x": "prevClosePrice",
    "c": "lastPrice",
    "Q": "lastQty",
    "b": "bidPrice",
    "B": "bidQty",
    "a": "askPrice",
    "A": "askQty",
    "o": "openPrice",
    "h": "highPrice",
    "l": "lowPrice",
    "v": "volume",
    "q": "quoteVolume",
    "O": "openTime",
    "C": "closeTime",
    "F": "firstId",
    "L": "lastId",
    "n": "count",
}
"""The ``<symbol>@ticker`` keys and the ``/api/v3/ticker/24hr`` fields they carry."""


def ticker_payload(ticker: Ticker24h) -> Row:
    """A 24h ticker as a ``<symbol>@ticker`` event: the values of its ``ticker/24hr`` entry."""
    entry = ticker_24hr(ticker.symbol, ticker, ticker.event_time)
    return {
        "e": "24hrTicker",
        "E": ticker.event_time,
        "s": ticker.symbol,
        **{key: entry[field] for key, field in TICKER_KEYS.items()},
    }


def mini_ticker_payload(ticker: MiniTicker) -> Row:
    """A mini ticker as a ``<symbol>@miniTicker`` event."""
    return {
        "e": "24hrMiniTicker",
        "E": ticker.event_time,
        "s": ticker.symbol,
        "c": binance_amount(ticker.close),
        "o": binance_amount(ticker.open),
        "h": binance_amount(ticker.high),
        "l": binance_amount(ticker.low),
        "v": binance_amount(ticker.volume),
        "q": binance_amount(ticker.quote_volume),
    }


def _levels(levels: list[PriceLevel]) -> list[list[str]]:
    return [[binance_amount(price), binance_amount(quantity)] for price, quantity in levels]


def depth_update_payload(
    symbol: str,
    event_time: int,
    first_update_id: int,
    final_update_id: int,
    bids: list[PriceLevel],
    asks: list[PriceLevel],
) -> Row:
    """A ``<symbol>@depth`` event: the new totals of the levels updates ``U`` to ``u`` touched
    ("0.00000000" removes a level)."""
    return {
        "e": "depthUpdate",
        "E": event_time,
        "s": symbol,
        "U": first_update_id,
        "u": final_update_id,
        "b": _levels(bids),
        "a": _levels(asks),
    }


def partial_depth_payload(
    last_update_id: int, bids: list[PriceLevel], asks: list[PriceLevel]
) -> Row:
    """A ``<symbol>@depth<levels>`` event: the best levels, as ``/api/v3/depth`` writes them."""
    return {"lastUpdateId": last_update_id, "bids": _levels(bids), "asks": _levels(asks)}


def book_ticker_payload(
    symbol: str, update_id: int, bids: list[PriceLevel], asks: list[PriceLevel]
) -> Row:
    """A ``<symbol>@bookTicker`` event from the best level of each side (zeros for an empty
    side, as ``/api/v3/ticker/bookTicker``)."""
    bid = bids[0] if bids else (ZERO, ZERO)
    ask = asks[0] if asks else (ZERO, ZERO)
    return {
        "u": update_id,
        "s": symbol,
        "b": binance_amount(bid[0]),
        "B": binance_amount(bid[1]),
        "a": binance_amount(ask[0]),
        "A": binance_amount(ask[1]),
    }
