"""Each WebSocket API method that has a REST twin runs that twin's handler (``views`` for market
data, ``trading_views`` for the signed ones): the params become the strings REST would have
received and go through the same ``QueryReader``. Signed requests are checked by the verification
REST uses (``apikeys.signatures.signature_verify``), over the sorted params, or, after
``session.logon``, by the session's key and the request's ``timestamp``.

These functions touch the database: the consumer runs them in a worker thread.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.db import InterfaceError, OperationalError

from paperex.apps.apikeys.models import ApiKey
from paperex.apps.apikeys.signatures import (
    api_key_active,
    mandatory_parameter_missing,
    signature_verify,
    timestamp_check,
)
from paperex.apps.binance import trading_views, views
from paperex.apps.binance.endpoint import Answer, EndpointView
from paperex.apps.binance.errors import service_unavailable
from paperex.apps.binance.signed import SignedEndpoint, answer_of
from paperex.apps.binance.ws_api.parameters import SIGNATURE, signed_payloads
from paperex.support.clock import wall_clock_ms

API_KEY = "apiKey"
RETURN_RATE_LIMITS = "returnRateLimits"

PUBLIC_METHODS: dict[str, EndpointView] = {
    "ping": views.ping,
    "time": views.server_time,
    "exchangeInfo": views.exchange_info,
    "depth": views.depth,
    "trades.recent": views.recent_trades,
    "trades.aggregate": views.aggregate_trades,
    "klines": views.klines,
    "uiKlines": views.klines,
    "avgPrice": views.average_price,
    "ticker.24hr": views.ticker_24hr,
    "ticker.price": views.price_ticker,
    "ticker.book": views.book_ticker,
}
SIGNED_METHODS: dict[str, SignedEndpoint] = {
    "order.place": trading_views.order_new,
    "order.test": trading_views.order_test,
    "order.status": trading_views.order_query,
    "order.cancel": trading_views.order_cancel,
    "order.cancelReplace": trading_views.order_cancel_replace_new,
    "openOrders.status": trading_views.open_orders_list,
    "openOrders.cancelAll": trading_views.open_orders_cancel_all,
    "allOrders": trading_views.all_orders,
    "myTrades": trading_views.my_trades,
    "account.status": trading_views.account,
    "account.commission": trading_views.account_commission,
}


@dataclass(frozen=True)
class SignedAnswer:
    """A signed method's answer and the user it was for."""

    answer: Answer
    user_id: int


def verified_key(parameters: Mapping[str, str]) -> ApiKey:
    """The key whose ``apiKey``, ``timestamp``, ``recvWindow`` and ``signature`` params sign
    the request; raises SignedRequestError."""
    return signature_verify(
        api_key=parameters.get(API_KEY),
        payloads=signed_payloads(parameters),
        signature=parameters.get(SIGNATURE, ""),
        timestamp=parameters.get("timestamp"),
        recv_window=parameters.get("recvWindow"),
        now_ms=wall_clock_ms(),
    )


def session_key(api_key: str, parameters: Mapping[str, str]) -> ApiKey:
    """The logged-on key for a request that names none: still active (-2015 otherwise), and the
    request's ``timestamp`` inside its window; raises SignedRequestError."""
    key = api_key_active(api_key)
    timestamp = parameters.get("timestamp")
    if not timestamp:
        raise mandatory_parameter_missing("timestamp")
    timestamp_check(
        timestamp=timestamp, recv_window=parameters.get("recvWindow"), now_ms=wall_clock_ms()
    )
    return key


def requester(parameters: Mapping[str, str], logged_on_key: str | None) -> ApiKey:
    """Who sends a signed request: its own key and signature, or else the session's key."""
    if logged_on_key is not None and API_KEY not in parameters and SIGNATURE not in parameters:
        return session_key(logged_on_key, parameters)
    return verified_key(parameters)


def endpoint_parameters(parameters: Mapping[str, str]) -> dict[str, str]:
    """The params an endpoint reads: without the ones the WebSocket API itself takes."""
    return {
        name: value
        for name, value in parameters.items()
        if name not in (API_KEY, RETURN_RATE_LIMITS)
    }


def public_call(view: EndpointView, parameters: Mapping[str, str]) -> Answer:
    """A market data method's answer; raises BinanceError."""
    return view.answer(endpoint_parameters(parameters))


def signed_call(
    endpoint: SignedEndpoint, parameters: Mapping[str, str], logged_on_key: str | None
) -> SignedAnswer:
    """A signed method's answer; raises SignedRequestError (nothing ran) or BinanceError."""
    try:
        key = requester(parameters, logged_on_key)
        answer = answer_of(endpoint, endpoint_parameters(parameters), key.user_id)
    except (OperationalError, InterfaceError) as away:
        raise service_unavailable() from away
    return SignedAnswer(answer, key.user_id)
