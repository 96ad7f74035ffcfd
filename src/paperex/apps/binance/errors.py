"""Binance's error bodies ``{"code", "msg"}`` with its codes and exact messages (the spot API's
errors.md), and the HTTP status each is answered with.

Binance does not document a status per code; request errors are answered 400, as observed on
Binance itself and as ccxt and python-binance handle them.
"""

from __future__ import annotations

from django.http import JsonResponse

LEGAL_INTEGER = "^[0-9]{1,20}$"
LEGAL_SYMBOL = "^[A-Z0-9-_.]{1,20}$"
LEGAL_SYMBOLS = '^\\[("[A-Z0-9-_.]{1,20}"(,"[A-Z0-9-_.]{1,20}"){0,}){0,1}\\]$'


class BinanceError(Exception):
    """An error answered in Binance's shape: its code, exact message and HTTP status."""

    def __init__(self, code: int, message: str, *, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


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


def service_unavailable() -> BinanceError:
    """-1001 with 503: the database is away; worth trying again in ``RETRY_AFTER_SECONDS``."""
    return BinanceError(
        -1001, "Internal error; unable to process your request. Please try again.", status=503
    )


RETRY_AFTER_SECONDS = 1


def error_response(error: BinanceError) -> JsonResponse:
    """The error's answer: its status and ``{"code", "msg"}``, with ``Retry-After`` on a 503."""
    response = JsonResponse({"code": error.code, "msg": error.message}, status=error.status)
    if error.status == 503:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
