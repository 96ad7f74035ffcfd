"""Binance spot public REST over httpx: symbol rules, kline history, depth snapshots, prices.

Every method raises ``BinanceApiError`` for an error answer (the venue's ``{"code", "msg"}`` body
when there is one), ``ParseError`` for a body that does not match the documented shape, and
``httpx.HTTPError`` subclasses for transport failures.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from decimal import Decimal
from types import TracebackType
from typing import Any, TypeVar

import httpx
import msgspec

from paperex.domain import Instrument, PercentPriceBySide
from paperex.marketdata.binance.parse import VENUE
from paperex.marketdata.binance.rest_wire import (
    ApiErrorWire,
    ExchangeInfoWire,
    FilterWire,
    KlineRowWire,
    PriceTickerWire,
    ServerTimeWire,
    SymbolWire,
)
from paperex.marketdata.errors import ParseError
from paperex.marketdata.events import Kline
from paperex.support.clock import ClockMs, wall_clock_ms

DEFAULT_REST_URL = "https://api.binance.com"
MAX_KLINES_PER_REQUEST = 1000

WireT = TypeVar("WireT")


class BinanceApiError(Exception):
    """The venue answered with an error: HTTP status, Binance code (None if absent) and text."""

    def __init__(self, status: int, code: int | None, message: str) -> None:
        super().__init__(f"HTTP {status}, code {code}: {message}")
        self.status = status
        self.code = code
        self.message = message


class SymbolRules(msgspec.Struct, frozen=True, kw_only=True):
    """A symbol's trading rules from ``exchangeInfo`` (0 or None where the venue sets no limit)."""

    symbol: str
    status: str
    base_asset: str
    quote_asset: str
    base_asset_precision: int
    quote_asset_precision: int
    tick_size: Decimal
    min_price: Decimal
    max_price: Decimal
    step_size: Decimal
    min_quantity: Decimal
    max_quantity: Decimal
    min_notional: Decimal
    percent_price_by_side: PercentPriceBySide | None
    order_types: list[str]

    @property
    def trading(self) -> bool:
        """True when the symbol is open for trading."""
        return self.status == "TRADING"

    def to_instrument(self) -> Instrument:
        """The domain Instrument; raises ValueError when tick or step size is not positive."""
        return Instrument(
            symbol=self.symbol,
            base=self.base_asset,
            quote=self.quote_asset,
            tick_size=self.tick_size,
            step_size=self.step_size,
            min_notional=self.min_notional,
        )


class PriceTicker(msgspec.Struct, frozen=True):
    """A symbol's latest price."""

    symbol: str
    price: Decimal


def parse_symbol_rules(wire: SymbolWire) -> SymbolRules:
    """Typed rules of one ``exchangeInfo`` symbol; min notional from NOTIONAL, else MIN_NOTIONAL.

    Raises ParseError for a PERCENT_PRICE_BY_SIDE filter without its four multipliers or whose
    band leaves out the reference price.
    """
    filters: dict[str, FilterWire] = {item.filter_type: item for item in wire.filters}
    price = filters.get("PRICE_FILTER")
    lot = filters.get("LOT_SIZE")
    notional = filters.get("NOTIONAL") or filters.get("MIN_NOTIONAL")
    zero = Decimal(0)
    return SymbolRules(
        symbol=wire.symbol,
        status=wire.status,
        base_asset=wire.base_asset,
        quote_asset=wire.quote_asset,
        base_asset_precision=wire.base_asset_precision,
        quote_asset_precision=wire.quote_asset_precision,
        tick_size=(price and price.tick_size) or zero,
        min_price=(price and price.min_price) or zero,
        max_price=(price and price.max_price) or zero,
        step_size=(lot and lot.step_size) or zero,
        min_quantity=(lot and lot.min_quantity) or zero,
        max_quantity=(lot and lot.max_quantity) or zero,
        min_notional=(notional and notional.min_notional) or zero,
        percent_price_by_side=_percent_price_by_side(
            wire.symbol, filters.get("PERCENT_PRICE_BY_SIDE")
        ),
        order_types=list(wire.order_types),
    )


def _percent_price_by_side(symbol: str, band: FilterWire | None) -> PercentPriceBySide | None:
    if band is None:
        return None
    given = (
        band.bid_multiplier_up,
        band.bid_multiplier_down,
        band.ask_multiplier_up,
        band.ask_multiplier_down,
    )
    multipliers = [multiplier.normalize() for multiplier in given if multiplier is not None]
    if len(multipliers) < len(given):
        raise ParseError(VENUE, f"{symbol} PERCENT_PRICE_BY_SIDE: a multiplier is missing")
    try:
        return PercentPriceBySide(*multipliers)
    except ValueError as error:
        raise ParseError(VENUE, f"{symbol} PERCENT_PRICE_BY_SIDE: {error}") from None


def parse_kline_row(row: KlineRowWire, *, symbol: str, interval: str, received_at: int) -> Kline:
    """A REST kline row as a Kline, closed when its close time has passed at ``received_at``.

    REST klines have no event time; the receive time stands in for it.
    """
    return Kline(
        venue=VENUE,
        symbol=symbol,
        event_time=received_at,
        received_at=received_at,
        interval=interval,
        open_time=row.open_time,
        close_time=row.close_time,
        open=row.open,
        high=row.high,
        low=row.low,
        close=row.close,
        volume=row.volume,
        quote_volume=row.quote_volume,
        trade_count=row.trade_count,
        closed=row.close_time < received_at,
    )


class BinanceRestClient:
    """Public market-data endpoints of ``/api/v3``; use as ``async with`` or call ``aclose``."""

    def __init__(
        self,
        base_url: str = DEFAULT_REST_URL,
        *,
        http: httpx.AsyncClient | None = None,
        timeout: float = 10.0,
        clock_ms: ClockMs = wall_clock_ms,
    ) -> None:
        """``http`` is used as given (and not closed) when passed; else one is created."""
        self._owns_http = http is None
        self._http = http or httpx.AsyncClient(timeout=timeout)
        self._base_url = base_url.rstrip("/")
        self._clock_ms = clock_ms

    async def __aenter__(self) -> BinanceRestClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the HTTP client if this object created it."""
        if self._owns_http:
            await self._http.aclose()

    async def ping(self) -> None:
        """Returns when the venue answers; raises BinanceApiError otherwise."""
        await self._get("/api/v3/ping", {}, msgspec.Raw)

    async def server_time(self) -> int:
        """The venue's clock in ms since the epoch."""
        return (await self._get("/api/v3/time", {}, ServerTimeWire)).server_time

    async def exchange_info(self, symbols: Sequence[str] | None = None) -> list[SymbolRules]:
        """Trading rules of ``symbols`` (every symbol when None); -1121 for an unknown one."""
        params: dict[str, str] = {}
        if symbols is not None and len(symbols) == 1:
            params["symbol"] = symbols[0]
        elif symbols is not None:
            params["symbols"] = json.dumps(list(symbols), separators=(",", ":"))
        info = await self._get("/api/v3/exchangeInfo", params, ExchangeInfoWire)
        return [parse_symbol_rules(symbol) for symbol in info.symbols]

    async def klines(
        self,
        symbol: str,
        interval: str,
        *,
        start_time: int | None = None,
        end_time: int | None = None,
        limit: int | None = None,
    ) -> list[Kline]:
        """One page of candles, oldest first (the venue's default limit 500, at most 1000)."""
        params: dict[str, str] = {"symbol": symbol, "interval": interval}
        for name, value in (("startTime", start_time), ("endTime", end_time), ("limit", limit)):
            if value is not None:
                params[name] = str(value)
        rows = await self._get("/api/v3/klines", params, list[KlineRowWire])
        received_at = self._clock_ms()
        return [
            parse_kline_row(row, symbol=symbol, interval=interval, received_at=received_at)
            for row in rows
        ]

    async def kline_history(
        self,
        symbol: str,
        interval: str,
        *,
        start_time: int,
        end_time: int | None = None,
        page_size: int = MAX_KLINES_PER_REQUEST,
    ) -> AsyncIterator[Kline]:
        """Every candle opening in [start_time, end_time], oldest first, fetched page by page."""
        next_start = start_time
        while True:
            page = await self.klines(
                symbol, interval, start_time=next_start, end_time=end_time, limit=page_size
            )
            for kline in page:
                yield kline
            if len(page) < page_size:
                return
            next_start = page[-1].open_time + 1

    async def depth_body(self, symbol: str, limit: int = 5000) -> bytes:
        """The depth snapshot's JSON body exactly as the venue sent it (not validated here): the
        feed wraps it as a stream frame (``binance.feed.snapshot_frame``) for its consumers."""
        return await self._get_bytes("/api/v3/depth", {"symbol": symbol, "limit": str(limit)})

    async def ticker_price(self, symbol: str) -> PriceTicker:
        """The latest price of ``symbol``."""
        wire = await self._get("/api/v3/ticker/price", {"symbol": symbol}, PriceTickerWire)
        return PriceTicker(wire.symbol, wire.price)

    async def ticker_prices(self) -> list[PriceTicker]:
        """The latest price of every symbol."""
        wires = await self._get("/api/v3/ticker/price", {}, list[PriceTickerWire])
        return [PriceTicker(wire.symbol, wire.price) for wire in wires]

    async def _get(self, path: str, params: dict[str, str], wire_type: type[WireT]) -> WireT:
        content = await self._get_bytes(path, params)
        try:
            return msgspec.json.decode(content, type=wire_type)
        except (msgspec.DecodeError, msgspec.ValidationError) as error:
            raise ParseError(VENUE, f"{path}: {error}", content) from None

    async def _get_bytes(self, path: str, params: dict[str, str]) -> bytes:
        response = await self._http.get(self._base_url + path, params=params)
        if response.status_code >= 400:
            raise _api_error(response)
        return response.content


def _api_error(response: httpx.Response) -> BinanceApiError:
    try:
        body: Any = msgspec.json.decode(response.content, type=ApiErrorWire)
    except (msgspec.DecodeError, msgspec.ValidationError):
        text = response.text[:200] or response.reason_phrase
        return BinanceApiError(response.status_code, None, text)
    return BinanceApiError(response.status_code, body.code, body.msg)
