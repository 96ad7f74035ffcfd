"""Binance spot REST bodies as the venue sends them (camelCase names kept on the wire)."""

from __future__ import annotations

from decimal import Decimal

import msgspec
from msgspec import field


class FilterWire(msgspec.Struct, frozen=True):
    """One symbol filter; only the fields of PRICE_FILTER, PERCENT_PRICE_BY_SIDE, LOT_SIZE and
    (MIN_)NOTIONAL are read."""

    filter_type: str = field(name="filterType")
    min_price: Decimal | None = field(default=None, name="minPrice")
    max_price: Decimal | None = field(default=None, name="maxPrice")
    tick_size: Decimal | None = field(default=None, name="tickSize")
    min_quantity: Decimal | None = field(default=None, name="minQty")
    max_quantity: Decimal | None = field(default=None, name="maxQty")
    step_size: Decimal | None = field(default=None, name="stepSize")
    min_notional: Decimal | None = field(default=None, name="minNotional")
    max_notional: Decimal | None = field(default=None, name="maxNotional")
    bid_multiplier_up: Decimal | None = field(default=None, name="bidMultiplierUp")
    bid_multiplier_down: Decimal | None = field(default=None, name="bidMultiplierDown")
    ask_multiplier_up: Decimal | None = field(default=None, name="askMultiplierUp")
    ask_multiplier_down: Decimal | None = field(default=None, name="askMultiplierDown")


class SymbolWire(msgspec.Struct, frozen=True):
    symbol: str
    status: str
    base_asset: str = field(name="baseAsset")
    quote_asset: str = field(name="quoteAsset")
    base_asset_precision: int = field(name="baseAssetPrecision")
    quote_asset_precision: int = field(name="quoteAssetPrecision")
    order_types: list[str] = field(name="orderTypes")
    filters: list[FilterWire]
    is_spot_trading_allowed: bool = field(default=True, name="isSpotTradingAllowed")


class ExchangeInfoWire(msgspec.Struct, frozen=True):
    server_time: int = field(name="serverTime")
    symbols: list[SymbolWire]


class KlineRowWire(msgspec.Struct, frozen=True, array_like=True):
    """``[openTime, "open", "high", "low", "close", "volume", closeTime, "quoteVolume", trades,
    "takerBuyBase", "takerBuyQuote", "0"]``."""

    open_time: int
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: Decimal
    close_time: int
    quote_volume: Decimal
    trade_count: int
    taker_buy_base_volume: Decimal
    taker_buy_quote_volume: Decimal
    ignore: str = "0"


class PriceTickerWire(msgspec.Struct, frozen=True):
    symbol: str
    price: Decimal


class ServerTimeWire(msgspec.Struct, frozen=True):
    server_time: int = field(name="serverTime")


class ApiErrorWire(msgspec.Struct, frozen=True):
    code: int
    msg: str
