"""Symbol filters and parameter rules for PlaceOrder, with Binance-like reject reasons."""

from __future__ import annotations

from paperex.domain.orders import RejectReason
from paperex.engine.constants import (
    BUY,
    LIMIT_PRICED_TYPES,
    LOT_SIZE,
    MARKET,
    NOTIONAL,
    PERCENT_PRICE_BY_SIDE,
    PERCENT_PRICE_MESSAGE,
    PRICE_FILTER,
    STOP_TYPES,
)
from paperex.engine.constants import INVALID_PARAMETERS as INVALID
from paperex.engine.market import EngineMarket
from paperex.engine.order_request import OrderRequest
from paperex.engine.price_band import in_price_band, reference_price

Rejection = tuple[RejectReason, str]
"""A reject reason and a human-readable message."""


def check_place_order(market: EngineMarket, request: OrderRequest) -> Rejection | None:
    """The first rule ``request`` breaks in ``market``, or None when it passes every rule.

    Covers which parameters each order type needs (Binance), positive prices and quantities
    (PRICE_FILTER, LOT_SIZE), a limit price within the price band (PERCENT_PRICE_BY_SIDE) and
    the minimum notional (NOTIONAL): at the limit or stop price, at the reference price for a
    MARKET order by quantity (not checked before the market has one), or the quote amount.
    Off-grid decimals are caught earlier, where decimals become ticks and lots
    (``paperex.engine.decimal_edge``).
    """
    order_type = request.order_type
    quantity = request.quantity
    price = request.price
    stop_price = request.stop_price
    quote_amount = request.quote_amount
    if order_type is MARKET:
        if price is not None or stop_price is not None:
            return INVALID, "MARKET orders take no price and no stop price."
        if (quantity is None) == (quote_amount is None):
            return INVALID, "MARKET orders need exactly one of quantity and quote_amount."
        if quote_amount is not None and quote_amount <= 0:
            return INVALID, "quote_amount must be positive."
    else:
        if quote_amount is not None:
            return INVALID, "quote_amount is only for MARKET orders."
        if quantity is None:
            return INVALID, f"{order_type} orders need a quantity."
        if order_type in LIMIT_PRICED_TYPES and price is None:
            return INVALID, f"{order_type} orders need a price."
        if order_type not in LIMIT_PRICED_TYPES and price is not None:
            return INVALID, f"{order_type} orders take no price."
        if order_type in STOP_TYPES and stop_price is None:
            return INVALID, f"{order_type} orders need a stop price."
        if order_type not in STOP_TYPES and stop_price is not None:
            return INVALID, f"{order_type} orders take no stop price."
    if quantity is not None and quantity <= 0:
        return LOT_SIZE, "Filter failure: LOT_SIZE (quantity must be positive)."
    if (price is not None and price <= 0) or (stop_price is not None and stop_price <= 0):
        return PRICE_FILTER, "Filter failure: PRICE_FILTER (price must be positive)."
    if price is not None and not in_price_band(market, request.side is BUY, price):
        return PERCENT_PRICE_BY_SIDE, PERCENT_PRICE_MESSAGE
    minimum = market.min_notional_units
    if minimum:
        if quantity is not None:
            notional_price = price if price is not None else stop_price
            if notional_price is None:  # MARKET: Binance's applyMinToMarket
                notional_price = reference_price(market)
            if notional_price is not None and market.notional(notional_price, quantity) < minimum:
                return NOTIONAL, "Filter failure: NOTIONAL (below the minimum)."
        elif quote_amount is not None and quote_amount < minimum:
            return NOTIONAL, "Filter failure: NOTIONAL (below the minimum)."
    return None
