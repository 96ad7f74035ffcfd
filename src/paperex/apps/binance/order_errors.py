"""Paperex's refusals of orders and cancels in Binance's words (reference binance-compat.md
§4.3): the engine's reasons as -2010 (rejected by the matching engine) or -1013 (a filter), an
order that is not open as -2011, the order limit as -1015, an engine that is away as 503 -1001
and an answer that did not come in time as 503 -1007, each with ``Retry-After``."""

from __future__ import annotations

from paperex.apps.binance.errors import (
    DUPLICATE_ORDER,
    INSUFFICIENT_BALANCE,
    MARKET_CLOSED,
    WOULD_MATCH,
    WOULD_TRIGGER,
    BinanceError,
    filter_failure,
    order_rejected,
    service_unavailable,
    timeout_unknown_outcome,
    too_many_orders,
    unknown_order_sent,
)
from paperex.apps.core.errors import ErrorCode, PaperexError
from paperex.apps.core.limits import RateLimitedError, rate_of
from paperex.apps.trading.protocol import EngineOutcomeUnknownError
from paperex.domain import RejectReason

FILTERS = frozenset(
    {
        RejectReason.PRICE_FILTER,
        RejectReason.LOT_SIZE,
        RejectReason.NOTIONAL,
        RejectReason.PERCENT_PRICE_BY_SIDE,
    }
)
"""The engine's reasons that are Binance symbol filters: ``Filter failure: <reason>``."""
ENGINE_MESSAGES = {
    RejectReason.INSUFFICIENT_BALANCE: INSUFFICIENT_BALANCE,
    RejectReason.DUPLICATE_CLIENT_ORDER_ID: DUPLICATE_ORDER,
    RejectReason.WOULD_MATCH_IMMEDIATELY: WOULD_MATCH,
    RejectReason.WOULD_TRIGGER_IMMEDIATELY: WOULD_TRIGGER,
    ErrorCode.UNKNOWN_SYMBOL: MARKET_CLOSED,
}
"""The engine's reasons that Binance words as -2010 with a message of its own. An unknown
symbol is -1121 before the order reaches the service, so the service's UNKNOWN_SYMBOL means a
halted market."""


def binance_error_of(error: PaperexError) -> BinanceError:
    """The Binance error that says what ``error`` says."""
    if isinstance(error, EngineOutcomeUnknownError):
        return timeout_unknown_outcome()
    if error.status == 503:
        return service_unavailable(error.retry_after or 1)
    if isinstance(error, RateLimitedError):
        rate = rate_of("orders")
        limit, seconds = (rate.limit, rate.seconds) if rate is not None else (0, 1)
        return too_many_orders(limit, seconds, error.retry_after or 1)
    if error.code == ErrorCode.ORDER_NOT_OPEN or error.code == RejectReason.UNKNOWN_ORDER:
        return unknown_order_sent()
    if error.code in FILTERS:
        return filter_failure(str(error.code))
    message = ENGINE_MESSAGES.get(error.code)
    if message is not None:
        return order_rejected(message)
    return BinanceError(-1013, error.message)
