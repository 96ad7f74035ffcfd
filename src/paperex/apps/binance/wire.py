"""Paperex's markets, books, trades, candles and tickers in Binance's wire shapes: Binance's
field names, amounts as strings, ids and times (ms since the epoch) as integers."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from paperex.apps.core.amounts import epoch_ms, format_amount
from paperex.apps.markets.models import Candle, Market
from paperex.apps.trading.models import Trade
from paperex.domain import OrderType, PercentPriceBySide, Side
from paperex.domain.orders import SelfTradePrevention
from paperex.marketdata.events import Ticker24h
from paperex.support.rate_window import Rate

BINANCE_DECIMALS = 8
BINANCE_PLACES = Decimal("0.00000001")
"""Binance shows amounts with 8 decimal places: "0.01000000"."""
LARGEST_AMOUNT = Decimal("999999999999999999")
"""The largest whole amount Paperex stores (30 digits, 12 of them decimals): the maximum price,
quantity and notional of its filters, which set no other."""
AVERAGE_PRICE_MINUTES = 5
"""``avgPrice``'s window, as Binance's."""
REFERENCE_PRICE_MINUTES = 0
"""The filters' ``avgPriceMins``: Paperex checks NOTIONAL and PERCENT_PRICE_BY_SIDE against the
last trade's price (README "Price protection"), which Binance writes as 0 minutes."""
ZERO = Decimal(0)

Row = dict[str, Any]


def binance_amount(value: Decimal | str) -> str:
    """``value`` with Binance's 8 decimal places ("0.01000000"), or with all of its own when it
    has more, so that no digit is lost. A ``str`` is an amount as Paperex writes it
    (``format_amount``: plain, no trailing zeros), padded without a Decimal made of it."""
    if isinstance(value, str):
        whole, _, places = value.partition(".")
        return (
            value
            if len(places) > BINANCE_DECIMALS
            else f"{whole}.{places.ljust(BINANCE_DECIMALS, '0')}"
        )
    eight_places = value.quantize(BINANCE_PLACES)
    if eight_places == value:
        return format(eight_places, "f")
    return format_amount(value)


def _text_amount(value: str | Decimal) -> str:
    return binance_amount(Decimal(value))


def symbol_info(market: Market, band: PercentPriceBySide) -> Row:
    """One market as an ``exchangeInfo`` symbol, with its filters and order types."""
    tick, step = market.tick_size.normalize(), market.step_size.normalize()
    lot_size = {
        "minQty": binance_amount(step),
        "maxQty": binance_amount(LARGEST_AMOUNT),
        "stepSize": binance_amount(step),
    }
    return {
        "symbol": market.symbol,
        "status": market.status,
        "baseAsset": market.base.code,
        "baseAssetPrecision": market.base.decimals,
        "quoteAsset": market.quote.code,
        "quotePrecision": market.quote.decimals,
        "quoteAssetPrecision": market.quote.decimals,
        "baseCommissionPrecision": market.base.decimals,
        "quoteCommissionPrecision": market.quote.decimals,
        "orderTypes": [order_type.value for order_type in OrderType],
        "icebergAllowed": False,
        "ocoAllowed": False,
        "otoAllowed": False,
        "opoAllowed": False,
        "quoteOrderQtyMarketAllowed": True,
        "allowTrailingStop": False,
        "cancelReplaceAllowed": True,
        "amendAllowed": False,
        "pegInstructionsAllowed": False,
        "isSpotTradingAllowed": market.status == Market.Status.TRADING,
        "isMarginTradingAllowed": False,
        "filters": [
            {
                "filterType": "PRICE_FILTER",
                "minPrice": binance_amount(tick),
                "maxPrice": binance_amount(LARGEST_AMOUNT),
                "tickSize": binance_amount(tick),
            },
            {"filterType": "LOT_SIZE", **lot_size},
            {"filterType": "MARKET_LOT_SIZE", **lot_size},
            {
                "filterType": "NOTIONAL",
                "minNotional": binance_amount(market.min_notional.normalize()),
                "applyMinToMarket": True,
                "maxNotional": binance_amount(LARGEST_AMOUNT),
                "applyMaxToMarket": False,
                "avgPriceMins": REFERENCE_PRICE_MINUTES,
            },
            {
                "filterType": "PERCENT_PRICE_BY_SIDE",
                "bidMultiplierUp": format_amount(band.bid_multiplier_up),
                "bidMultiplierDown": format_amount(band.bid_multiplier_down),
                "askMultiplierUp": format_amount(band.ask_multiplier_up),
                "askMultiplierDown": format_amount(band.ask_multiplier_down),
                "avgPriceMins": REFERENCE_PRICE_MINUTES,
            },
        ],
        "permissions": [],
        "permissionSets": [["SPOT"]],
        "defaultSelfTradePreventionMode": SelfTradePrevention.EXPIRE_MAKER.value,
        "allowedSelfTradePreventionModes": [mode.value for mode in SelfTradePrevention],
    }


_INTERVALS = [(86_400, "DAY"), (3_600, "HOUR"), (60, "MINUTE"), (1, "SECOND")]


def rate_limit(kind: str, rate: Rate) -> Row:
    """A Paperex limit as an ``exchangeInfo`` rate limit (``REQUEST_WEIGHT``, ``ORDERS``, ...)."""
    unit_seconds, unit = next((s, u) for s, u in _INTERVALS if rate.seconds % s == 0)
    return {
        "rateLimitType": kind,
        "interval": unit,
        "intervalNum": rate.seconds // unit_seconds,
        "limit": rate.limit,
    }


def exchange_info(symbols: list[Row], rate_limits: list[Row], server_time: int) -> Row:
    """The ``exchangeInfo`` answer."""
    return {
        "timezone": "UTC",
        "serverTime": server_time,
        "rateLimits": rate_limits,
        "exchangeFilters": [],
        "symbols": symbols,
    }


def depth(book: Row) -> Row:
    """A book of ``[price, quantity]`` levels (text or Decimal) as a ``depth`` answer."""
    return {
        "lastUpdateId": int(book.get("last_update_id", 0)),
        "bids": [[_text_amount(price), _text_amount(qty)] for price, qty in book["bids"]],
        "asks": [[_text_amount(price), _text_amount(qty)] for price, qty in book["asks"]],
    }


def trade(public_trade: Trade) -> Row:
    """A public trade as a ``trades`` entry."""
    return {
        "id": public_trade.id,
        "price": binance_amount(public_trade.price),
        "qty": binance_amount(public_trade.quantity),
        "quoteQty": binance_amount(public_trade.quote_quantity),
        "time": epoch_ms(public_trade.executed_at),
        "isBuyerMaker": public_trade.taker_side == Side.SELL,
        "isBestMatch": True,
    }


def aggregate_trade(public_trade: Trade) -> Row:
    """A public trade as an ``aggTrades`` entry: each trade is its own aggregate."""
    return {
        "a": public_trade.id,
        "p": binance_amount(public_trade.price),
        "q": binance_amount(public_trade.quantity),
        "f": public_trade.id,
        "l": public_trade.id,
        "T": epoch_ms(public_trade.executed_at),
        "m": public_trade.taker_side == Side.SELL,
        "M": True,
    }


def kline(candle: Candle) -> list[Any]:
    """A candle as a ``klines`` row. Paperex does not split volume by the taker's side, so the
    taker-buy volumes are "0"."""
    return [
        candle.open_time,
        binance_amount(candle.open),
        binance_amount(candle.high),
        binance_amount(candle.low),
        binance_amount(candle.close),
        binance_amount(candle.volume),
        candle.close_time,
        binance_amount(candle.quote_volume),
        candle.trade_count,
        binance_amount(ZERO),
        binance_amount(ZERO),
        "0",
    ]


def ticker_24hr(symbol: str, ticker: Ticker24h | None, now_ms: int) -> Row:
    """The rolling 24h ticker as a ``ticker/24hr`` entry; a market without one yet shows zeros
    and no trades, as Binance shows a symbol that has not traded."""
    if ticker is None:
        return _quiet_ticker_24hr(symbol, now_ms)
    return {
        "symbol": symbol,
        "priceChange": binance_amount(ticker.price_change),
        "priceChangePercent": _percent(ticker.price_change_percent),
        "weightedAvgPrice": binance_amount(ticker.weighted_average_price),
        "prevClosePrice": binance_amount(ticker.open),
        "lastPrice": binance_amount(ticker.last_price),
        "lastQty": binance_amount(ticker.last_quantity),
        "bidPrice": binance_amount(ticker.best_bid),
        "bidQty": binance_amount(ticker.best_bid_quantity),
        "askPrice": binance_amount(ticker.best_ask),
        "askQty": binance_amount(ticker.best_ask_quantity),
        "openPrice": binance_amount(ticker.open),
        "highPrice": binance_amount(ticker.high),
        "lowPrice": binance_amount(ticker.low),
        "volume": binance_amount(ticker.volume),
        "quoteVolume": binance_amount(ticker.quote_volume),
        "openTime": ticker.open_time,
        "closeTime": ticker.close_time,
        "firstId": -1,
        "lastId": -1,
        "count": ticker.trade_count,
    }


def _quiet_ticker_24hr(symbol: str, now_ms: int) -> Row:
    zero = binance_amount(ZERO)
    amounts = dict.fromkeys(
        [
            "priceChange",
            "weightedAvgPrice",
            "prevClosePrice",
            "lastPrice",
            "lastQty",
            "bidPrice",
            "bidQty",
            "askPrice",
            "askQty",
            "openPrice",
            "highPrice",
            "lowPrice",
            "volume",
            "quoteVolume",
        ],
        zero,
    )
    return {
        "symbol": symbol,
        **amounts,
        "priceChangePercent": _percent(ZERO),
        "openTime": now_ms - 86_400_000,
        "closeTime": now_ms,
        "firstId": -1,
        "lastId": -1,
        "count": 0,
    }


def _percent(value: Decimal) -> str:
    """Binance shows a percent change with 3 decimal places: "-1.234"."""
    return format(value.quantize(Decimal("0.001")), "f")


def price(symbol: str, last_price: Decimal | None) -> Row:
    """A ``ticker/price`` entry; "0.00000000" before the market has a price."""
    return {"symbol": symbol, "price": binance_amount(last_price or ZERO)}


def book_ticker(symbol: str, book: Row) -> Row:
    """The best levels of a book of text levels as a ``ticker/bookTicker`` entry (zeros for an
    empty side)."""
    bid = book["bids"][0] if book["bids"] else ["0", "0"]
    ask = book["asks"][0] if book["asks"] else ["0", "0"]
    return {
        "symbol": symbol,
        "bidPrice": _text_amount(bid[0]),
        "bidQty": _text_amount(bid[1]),
        "askPrice": _text_amount(ask[0]),
        "askQty": _text_amount(ask[1]),
    }


def average_price(average: tuple[Decimal, int] | None, now_ms: int) -> Row:
    """An ``avgPrice`` answer: the average and its last trade's time ("0.00000000" when nothing
    traded in the last ``AVERAGE_PRICE_MINUTES``)."""
    value, close_time = average if average is not None else (ZERO, now_ms)
    return {"mins": AVERAGE_PRICE_MINUTES, "price": binance_amount(value), "closeTime": close_time}


def trade_fee(market: Market) -> Row:
    """A market's fee rates as a ``sapi/v1/asset/tradeFee`` entry."""
    return {
        "symbol": market.symbol,
        "makerCommission": format_amount(market.maker_fee_rate),
        "takerCommission": format_amount(market.taker_fee_rate),
    }
