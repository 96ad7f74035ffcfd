"""Binance's error bodies ``{"code", "msg"}`` with its codes and exact messages (the spot API's
errors.md), and the HTTP status each is answered with.

Binance does not document a status per code; request errors are answered 400, as observed on
Binance itself and as ccxt and python-binance handle them.
"""

from __future__ import annotations

from typing import Any

from django.http import JsonResponse

LEGAL_INTEGER = "^[0-9]{1,20}$"
LEGAL_DECIMAL = "^([0-9]{1,20})(\\.[0-9]{1,20})?$"
LEGAL_CLIENT_ORDER_ID = "^[a-zA-Z0-9-_]{1,36}$"
LEGAL_SYMBOL = "^[A-Z0-9-_.]{1,20}$"
LEGAL_SYMBOLS = '^\\[("[A-Z0-9-_.]{1,20}"(,"[A-Z0-9-_.]{1,20}"){0,}){0,1}\\]$'


class BinanceError(Exception):
    """An error answered in Binance's shape: its code, exact message and HTTP status."""

    def __init__(
        self,
        code: int,
        message: str,
        *,
        status: int = 400,
        retry_after: int | None = None,
        data: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.retry_after = retry_after
        self.data = data

    def body(self) -> dict[str, Any]:
        """Binance's error body: ``{"code", "msg"}``, and ``data`` when the error has some
        (``order/cancelReplace``)."""
        body: dict[str, Any] = {"code": self.code, "msg": self.message}
        if self.data is not None:
            body["data"] = self.data
        return body


def illegal_characters(parameter: str, legal_range: str) -> BinanceError:
    """-1100: a parameter's value is outside its legal pattern."""
    return BinanceError(
        -1100,
        f"Illegal characters found in parameter '{parameter}'; legal range is '{legal_range}'.",
    )


def mandatory_parameter_missing(parameter: str) -> BinanceError:
    """-1102: a mandatory parameter was not sent."""
    return BinanceError(
        -1102, f"Mandatory parameter '{parameter}' was not sent, was empty/null, or malformed."
    )


def parameters_not_read(read: int, sent: int) -> BinanceError:
    """-1104: the request carried parameters the endpoint does not read."""
    return BinanceError(
        -1104,
        f"Not all sent parameters were read; read '{read}' parameter(s) but was sent '{sent}'.",
    )


def parameter_empty(parameter: str) -> BinanceError:
    """-1105: a parameter was sent without a value."""
    return BinanceError(-1105, f"Parameter '{parameter}' was empty.")


def invalid_interval() -> BinanceError:
    """-1120: a kline interval Paperex does not keep."""
    return BinanceError(-1120, "Invalid interval.")


def invalid_symbol() -> BinanceError:
    """-1121: no market of this symbol."""
    return BinanceError(-1121, "Invalid symbol.")


def bad_parameter_combination() -> BinanceError:
    """-1128: optional parameters that exclude each other (``symbol`` and ``symbols``)."""
    return BinanceError(-1128, "Combination of optional parameters invalid.")


def invalid_parameter_value(parameter: str) -> BinanceError:
    """-1130: a well-formed value the endpoint cannot take (a limit of 0)."""
    return BinanceError(-1130, f"Data sent for parameter '{parameter}' is not valid.")


def duplicate_symbols() -> BinanceError:
    """-1151: a symbol appears twice in ``symbols``."""
    return BinanceError(-1151, "Symbol is present multiple times in the list.")


def invalid_ticker_type() -> BinanceError:
    """-1139: a ticker ``type`` other than FULL or MINI."""
    return BinanceError(-1139, "Invalid ticker type.")


def unsupported_operation(status: int = 400) -> BinanceError:
    """-1020: an endpoint or method Paperex does not offer."""
    return BinanceError(-1020, "This operation is not supported.", status=status)


RETRY_AFTER_SECONDS = 1


def service_unavailable(retry_after: int = RETRY_AFTER_SECONDS) -> BinanceError:
    """-1001 with 503: the database or the engine is away (or a market waits for its reference
    market); worth trying again in ``retry_after`` seconds."""
    return BinanceError(
        -1001,
        "Internal error; unable to process your request. Please try again.",
        status=503,
        retry_after=retry_after,
    )


def error_headers(error: BinanceError) -> dict[str, str]:
    """The error's headers: ``Retry-After`` on a 503 (and on a 429 that says when)."""
    if error.status == 503 or error.retry_after is not None:
        return {"Retry-After": str(error.retry_after or RETRY_AFTER_SECONDS)}
    return {}


def error_response(error: BinanceError) -> JsonResponse:
    """The error's answer: its status and ``{"code", "msg"}`` with ``error_headers``."""
    response = JsonResponse(error.body(), status=error.status)
    for header, value in error_headers(error).items():
        response[header] = value
    return response


# The trading endpoints' errors ------------------------------------------------------------


def timeout_unknown_outcome() -> BinanceError:
    """-1007 with 503: the order or cancel was sent to the engine and not answered in time, so
    its outcome is unknown (look the order up by its client order id)."""
    return BinanceError(
        -1007,
        "Timeout waiting for response from backend server. Send status unknown; "
        "execution status unknown.",
        status=503,
        retry_after=RETRY_AFTER_SECONDS,
    )


PERIOD_NAMES = {1: "SECOND", 60: "MINUTE", 3600: "HOUR", 86400: "DAY"}


def binance_period(seconds: int) -> str:
    """A rate's period as Binance writes it in -1003 and -1015: "10 SECOND", "MINUTE"."""
    for length in sorted(PERIOD_NAMES, reverse=True):
        if seconds % length == 0:
            count = seconds // length
            return PERIOD_NAMES[length] if count == 1 else f"{count} {PERIOD_NAMES[length]}"
    return f"{seconds} SECOND"  # pragma: no cover - every period is whole seconds


def too_much_weight(limit: int, seconds: int, retry_after: int) -> BinanceError:
    """-1003 with 429: the client used its request weight limit of this window."""
    return BinanceError(
        -1003,
        f"Too much request weight used; current limit is {limit} request weight per "
        f"{binance_period(seconds)}. "
        "Please use WebSocket Streams for live updates to avoid polling the API.",
        status=429,
        retry_after=retry_after,
    )


def too_many_orders(limit: int, seconds: int, retry_after: int) -> BinanceError:
    """-1015 with 429: the user's order limit is reached."""
    return BinanceError(
        -1015,
        f"Too many new orders; current limit is {limit} orders per {binance_period(seconds)}.",
        status=429,
        retry_after=retry_after,
    )


def parameter_not_required(parameter: str) -> BinanceError:
    """-1106: a parameter the order's type does not take."""
    return BinanceError(-1106, f"Parameter '{parameter}' sent when not required.")


def one_of_parameters_missing(first: str, second: str) -> BinanceError:
    """-1102: neither of two alternative parameters was sent."""
    return BinanceError(
        -1102, f"Param '{first}' or '{second}' must be sent, but both were empty/null!"
    )


def invalid_time_in_force() -> BinanceError:
    """-1115: a ``timeInForce`` other than GTC, IOC and FOK."""
    return BinanceError(-1115, "Invalid timeInForce.")


def invalid_order_type() -> BinanceError:
    """-1116: an order ``type`` Paperex does not have."""
    return BinanceError(-1116, "Invalid orderType.")


def invalid_side() -> BinanceError:
    """-1117: a ``side`` other than BUY and SELL."""
    return BinanceError(-1117, "Invalid side.")


def order_rejected(message: str) -> BinanceError:
    """-2010: the matching engine refused the new order (``message`` is Binance's text)."""
    return BinanceError(-2010, message)


INSUFFICIENT_BALANCE = "Account has insufficient balance for requested action."
DUPLICATE_ORDER = "Duplicate order sent."
MARKET_CLOSED = "Market is closed."
WOULD_MATCH = "Order would immediately match and take."
WOULD_TRIGGER = "Order would trigger immediately."


def filter_failure(filter_name: str) -> BinanceError:
    """-1013: the order fails one of the symbol's filters."""
    return BinanceError(-1013, f"Filter failure: {filter_name}")


def unknown_order_sent() -> BinanceError:
    """-2011: a cancel of an order that does not exist or is no longer open."""
    return BinanceError(-2011, "Unknown order sent.")


def order_does_not_exist() -> BinanceError:
    """-2013: a query of an order that does not exist (or is another user's)."""
    return BinanceError(-2013, "Order does not exist.")


def client_order_id_invalid() -> BinanceError:
    """-2039: an order query whose ``orderId`` names an order with another client order id."""
    return BinanceError(-2039, "Client order ID is not correct for this order ID.")


def cancel_replace_failed(data: dict[str, Any]) -> BinanceError:
    """-2022 (400): neither the cancel nor the new order of a cancel-replace went through (or
    the cancel failed and the mode stopped there); ``data`` tells each part's outcome."""
    return BinanceError(-2022, "Order cancel-replace failed.", data=data)


def cancel_replace_partially_failed(data: dict[str, Any]) -> BinanceError:
    """-2021 (409): one part of a cancel-replace went through and the other did not."""
    return BinanceError(-2021, "Order cancel-replace partially failed.", status=409, data=data)
