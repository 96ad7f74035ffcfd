"""A local Binance spot REST API (public market-data endpoints) with the venue's error bodies."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from types import TracebackType
from typing import Any

from tests.marketdata.fakes.http import Query, TinyHttpServer

INVALID_SYMBOL = (400, b'{"code":-1121,"msg":"Invalid symbol."}')
INVALID_INTERVAL = (400, b'{"code":-1120,"msg":"Invalid interval."}')
INTERVALS = {"1s", "1m", "3m", "5m", "15m", "30m", "1h", "2h", "4h", "6h", "8h", "12h", "1d"}


def symbol_info(
    symbol: str, base: str, quote: str, tick: str, step: str, notional: str
) -> dict[str, Any]:
    """An ``exchangeInfo`` symbol entry shaped like the venue's."""
    return {
        "symbol": symbol,
        "status": "TRADING",
        "baseAsset": base,
        "baseAssetPrecision": 8,
        "quoteAsset": quote,
        "quotePrecision": 8,
        "quoteAssetPrecision": 8,
        "orderTypes": ["LIMIT", "LIMIT_MAKER", "MARKET", "STOP_LOSS_LIMIT", "TAKE_PROFIT_LIMIT"],
        "icebergAllowed": True,
        "ocoAllowed": True,
        "isSpotTradingAllowed": True,
        "isMarginTradingAllowed": False,
        "filters": [
            {
                "filterType": "PRICE_FILTER",
                "minPrice": tick,
                "maxPrice": "1000000.00",
                "tickSize": tick,
            },
            {
                "filterType": "PERCENT_PRICE_BY_SIDE",
                "bidMultiplierUp": "5",
                "bidMultiplierDown": "0.2",
                "askMultiplierUp": "4",
                "askMultiplierDown": "0.25",
                "avgPriceMins": 5,
            },
            {"filterType": "LOT_SIZE", "minQty": step, "maxQty": "9000.00000000", "stepSize": step},
            {"filterType": "ICEBERG_PARTS", "limit": 10},
            {"filterType": "MARKET_LOT_SIZE", "minQty": "0", "maxQty": "100", "stepSize": "0"},
            {
                "filterType": "NOTIONAL",
                "minNotional": notional,
                "applyMinToMarket": True,
                "maxNotional": "9000000.00000000",
                "applyMaxToMarket": False,
                "avgPriceMins": 5,
            },
            {"filterType": "MAX_NUM_ORDERS", "maxNumOrders": 200},
        ],
        "permissions": [],
        "permissionSets": [["SPOT"]],
        "defaultSelfTradePreventionMode": "NONE",
        "allowedSelfTradePreventionModes": ["NONE", "EXPIRE_TAKER"],
    }


class FakeBinanceRestServer:
    """Serves ``/api/v3/{ping,time,exchangeInfo,depth,klines,ticker/price}`` from test data.

    ``depth_snapshots[symbol]`` are served in order (the last one repeats), unless
    ``depth_books[symbol]`` gives the live book (see ``binance_venue.FakeBinanceBook``);
    ``klines[(symbol, interval)]`` are rows in the venue's array form, filtered by
    startTime/endTime/limit.
    """

    def __init__(self) -> None:
        self.symbols: list[dict[str, Any]] = []
        self.depth_snapshots: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.depth_books: dict[str, Callable[[], dict[str, Any]]] = {}
        self.klines: dict[tuple[str, str], list[list[Any]]] = {}
        self.prices: dict[str, str] = {}
        self.server_time = 1_700_000_000_000
        self.failures_before_depth = 0
        self._http = TinyHttpServer(self._route)

    @property
    def url(self) -> str:
        return self._http.url

    @property
    def requests(self) -> list[tuple[str, Query]]:
        return self._http.requests

    async def __aenter__(self) -> FakeBinanceRestServer:
        await self._http.__aenter__()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self._http.__aexit__(exc_type, exc, traceback)

    async def _route(self, path: str, query: Query) -> tuple[int, bytes]:
        routes = {
            "/api/v3/ping": self._ping,
            "/api/v3/time": self._time,
            "/api/v3/exchangeInfo": self._exchange_info,
            "/api/v3/depth": self._depth,
            "/api/v3/klines": self._klines,
            "/api/v3/ticker/price": self._ticker_price,
        }
        route = routes.get(path)
        if route is None:
            return 404, b"<html>not found</html>"
        return route(query)

    def _ping(self, query: Query) -> tuple[int, bytes]:
        return 200, b"{}"

    def _time(self, query: Query) -> tuple[int, bytes]:
        return 200, json.dumps({"serverTime": self.server_time}).encode()

    def _exchange_info(self, query: Query) -> tuple[int, bytes]:
        wanted: list[str] | None = None
        if "symbol" in query:
            wanted = [query["symbol"]]
        elif "symbols" in query:
            wanted = json.loads(query["symbols"])
        known = {entry["symbol"]: entry for entry in self.symbols}
        if wanted is not None and any(symbol not in known for symbol in wanted):
            return INVALID_SYMBOL
        chosen = self.symbols if wanted is None else [known[symbol] for symbol in wanted]
        body = {
            "timezone": "UTC",
            "serverTime": self.server_time,
            "rateLimits": [],
            "exchangeFilters": [],
            "symbols": chosen,
        }
        return 200, json.dumps(body).encode()

    def _depth(self, query: Query) -> tuple[int, bytes]:
        if "symbol" not in query:
            return 400, b'{"code":-1102,"msg":"Mandatory parameter \'symbol\' was not sent."}'
        if self.failures_before_depth > 0:
            self.failures_before_depth -= 1
            return 500, b'{"code":-1001,"msg":"Internal error; unable to process your request."}'
        book = self.depth_books.get(query["symbol"])
        if book is not None:
            return 200, json.dumps(book()).encode()
        snapshots = self.depth_snapshots.get(query["symbol"])
        if not snapshots:
            return INVALID_SYMBOL
        snapshot = snapshots.pop(0) if len(snapshots) > 1 else snapshots[0]
        return 200, json.dumps(snapshot).encode()

    def _klines(self, query: Query) -> tuple[int, bytes]:
        interval = query.get("interval", "")
        if interval not in INTERVALS:
            return INVALID_INTERVAL
        rows = self.klines.get((query.get("symbol", ""), interval))
        if rows is None:
            return INVALID_SYMBOL
        start = int(query.get("startTime", 0))
        end = int(query.get("endTime", 2**62))
        limit = min(int(query.get("limit", 500)), 1000)
        chosen = [row for row in rows if start <= row[0] <= end][:limit]
        return 200, json.dumps(chosen).encode()

    def _ticker_price(self, query: Query) -> tuple[int, bytes]:
        if "symbol" in query:
            if query["symbol"] not in self.prices:
                return INVALID_SYMBOL
            body: Any = {"symbol": query["symbol"], "price": self.prices[query["symbol"]]}
        else:
            body = [{"symbol": symbol, "price": price} for symbol, price in self.prices.items()]
        return 200, json.dumps(body).encode()
