"""``/api/v3`` market data: each endpoint reads its parameters, asks the selectors of markets,
marketdata and trading, and shapes the answer with ``wire``."""

from __future__ import annotations

import re

from django.conf import settings

from paperex.apps.binance import wire
from paperex.apps.binance.endpoint import Answer, binance_endpoint
from paperex.apps.binance.errors import (
    invalid_interval,
    invalid_parameter_value,
    invalid_symbol,
    invalid_ticker_type,
    unsupported_operation,
)
from paperex.apps.binance.market_streams.tradable_book import depth_snapshot
from paperex.apps.binance.parameters import QueryReader, SymbolSelection
from paperex.apps.binance.weights import depth_weight, price_ticker_weight, ticker_24hr_weight
from paperex.apps.marketdata.selectors import (
    average_price_get,
    candle_list_with_open,
    last_price_get,
    ticker_event_get,
)
from paperex.apps.markets.instruments import market_percent_price
from paperex.apps.markets.models import Candle, Market
from paperex.apps.markets.selectors import market_exists, market_get, market_list
from paperex.apps.trading.selectors.exchange_book import tradable_book_get
from paperex.apps.trading.selectors.markets import order_entry_market_held
from paperex.apps.trading.selectors.trades import public_trade_window
from paperex.support.clock import wall_clock_ms

KLINE_INTERVALS = frozenset(Candle.Interval.values)
"""The intervals Paperex keeps candles of; Binance's others are -1120."""
UTC_TIME_ZONE = re.compile(r"^[+-]?0{1,2}(:00)?$")
MINI_TICKER_FIELDS = (
    "symbol",
    "openPrice",
    "highPrice",
    "lowPrice",
    "lastPrice",
    "volume",
    "quoteVolume",
    "openTime",
    "closeTime",
    "firstId",
    "lastId",
    "count",
)
RATE_LIMIT_KINDS = {
    "binance_weight": "REQUEST_WEIGHT",
    "address": "RAW_REQUESTS",
    "orders": "ORDERS",
}
"""Paperex's limits that ``exchangeInfo`` reports, as Binance's rate-limit types."""


def market_of(symbol: str) -> Market:
    """The market of ``symbol``; raises -1121."""
    try:
        return market_get(symbol=symbol)
    except Market.DoesNotExist as missing:
        raise invalid_symbol() from missing


def symbol_check(symbol: str) -> None:
    """Nothing when a market has ``symbol``; raises -1121 (for an endpoint that needs no more
    of the market, such as a new order, which the order service checks itself). The order
    service's cached markets answer for a symbol they hold, so a new order reads no market
    row; the database for one they do not (a market added since they were read). A market
    deleted since passes here and is refused by the order service, whose cache of the markets
    is at most 30 s old."""
    if order_entry_market_held(symbol=symbol) is None and not market_exists(symbol=symbol):
        raise invalid_symbol()


def markets_of(symbols: list[str] | None) -> list[Market]:
    """The markets of ``symbols`` in that order, or every market for None; raises -1121."""
    if symbols is None:
        return list(market_list())
    return [market_of(symbol) for symbol in symbols]


def one_or_list(selection: SymbolSelection, entries: list[wire.Row]) -> wire.Row | list[wire.Row]:
    """One object when ``symbol`` was sent, else the list, as Binance answers."""
    return entries[0] if selection.single else entries


@binance_endpoint(weight=1)
def ping(query: QueryReader) -> Answer:
    return Answer({}, 1)


@binance_endpoint(weight=1)
def server_time(query: QueryReader) -> Answer:
    return Answer({"serverTime": wall_clock_ms()}, 1)


@binance_endpoint(weight=20)
def exchange_info(query: QueryReader) -> Answer:
    markets = markets_of(query.symbol_selection().symbols)
    for ignored in ("permissions", "showPermissionSets"):
        query.text(ignored)  # every Paperex market is SPOT
    status = query.text("symbolStatus")
    if status is not None and status not in Market.Status.values:
        raise invalid_parameter_value("symbolStatus")
    symbols = [
        wire.symbol_info(market, market_percent_price(market))
        for market in markets
        if status is None or market.status == status
    ]
    limits = [
        wire.rate_limit(kind, rate)
        for name, kind in RATE_LIMIT_KINDS.items()
        if (rate := settings.PAPEREX_RATE_LIMITS.get(name)) is not None
    ]
    return Answer(wire.exchange_info(symbols, limits, wall_clock_ms()), 20)


@binance_endpoint(weight=5)
def depth(query: QueryReader) -> Answer:
    market = market_of(query.required_symbol())
    limit = query.limit(default=100, largest=5000)
    return Answer(wire.depth(depth_snapshot(market, limit)), depth_weight(limit))


@binance_endpoint(weight=25)
def recent_trades(query: QueryReader) -> Answer:
    market = market_of(query.required_symbol())
    limit = query.limit(default=500, largest=1000)
    trades = public_trade_window(
        market_id=market.pk, from_id=None, start_ms=None, end_ms=None, limit=limit
    )
    return Answer([wire.trade(trade) for trade in trades], 25)


@binance_endpoint(weight=4)
def aggregate_trades(query: QueryReader) -> Answer:
    market = market_of(query.required_symbol())
    trades = public_trade_window(
        market_id=market.pk,
        from_id=query.integer("fromId"),
        start_ms=query.integer("startTime"),
        end_ms=query.integer("endTime"),
        limit=query.limit(default=500, largest=1000),
    )
    return Answer([wire.aggregate_trade(trade) for trade in trades], 4)


@binance_endpoint(weight=2)
def klines(query: QueryReader) -> Answer:
    market = market_of(query.required_symbol())
    interval = query.required_text("interval")
    if interval not in KLINE_INTERVALS:
        raise invalid_interval()
    time_zone = query.text("timeZone")
    if time_zone is not None and not UTC_TIME_ZONE.match(time_zone):
        raise invalid_parameter_value("timeZone")
    candles = candle_list_with_open(
        market=market,
        interval=interval,
        start=query.integer("startTime"),
        end=query.integer("endTime"),
        limit=query.limit(default=500, largest=1000),
    )
    return Answer([wire.kline(candle) for candle in candles], 2)


@binance_endpoint(weight=2)
def average_price(query: QueryReader) -> Answer:
    market = market_of(query.required_symbol())
    now = wall_clock_ms()
    average = average_price_get(market=market, minutes=wire.AVERAGE_PRICE_MINUTES, now_ms=now)
    return Answer(wire.average_price(average, now), 2)


@binance_endpoint(weight=2)
def ticker_24hr(query: QueryReader) -> Answer:
    selection = query.symbol_selection()
    markets = markets_of(selection.symbols)
    ticker_type = query.text("type") or "FULL"
    if ticker_type not in ("FULL", "MINI"):
        raise invalid_ticker_type()
    now = wall_clock_ms()
    entries = [
        wire.ticker_24hr(market.symbol, ticker_event_get(symbol=market.symbol), now)
        for market in markets
    ]
    if ticker_type == "MINI":
        entries = [{name: entry[name] for name in MINI_TICKER_FIELDS} for entry in entries]
    return Answer(one_or_list(selection, entries), ticker_24hr_weight(selection.symbol_count))


@binance_endpoint(weight=2)
def price_ticker(query: QueryReader) -> Answer:
    selection = query.symbol_selection()
    entries = [
        wire.price(market.symbol, last_price_get(symbol=market.symbol))
        for market in markets_of(selection.symbols)
    ]
    return Answer(one_or_list(selection, entries), price_ticker_weight(selection.symbol_count))


@binance_endpoint(weight=2)
def book_ticker(query: QueryReader) -> Answer:
    selection = query.symbol_selection()
    entries = [
        wire.book_ticker(market.symbol, tradable_book_get(market=market, depth=1))
        for market in markets_of(selection.symbols)
    ]
    return Answer(one_or_list(selection, entries), price_ticker_weight(selection.symbol_count))


@binance_endpoint(weight=1, strict=False)
def unknown_endpoint(query: QueryReader) -> Answer:
    """Any other ``/api/v3`` or ``/sapi`` path: 404 with -1020."""
    raise unsupported_operation(status=404)
