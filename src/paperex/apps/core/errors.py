"""One error vocabulary and one renderer for every transport.

Every error a client sees has one shape, ``{"code", "message"}`` plus ``"errors"`` (per field)
for invalid input, and any fields the error adds of its own (an order whose outcome is unknown
adds ``"status": "unknown"`` and its ``"client_order_id"``); a service that is away (the
engine, the database) is a 503 with ``Retry-After``, never a 500. ``render_error`` words it for
the DRF exception handler (every Django API), the ASGI order lane and the WebSocket error frames
alike. The engine's refusals (``paperex.domain.RejectReason``: ``PRICE_FILTER``,
``INSUFFICIENT_BALANCE``, ...) pass through as codes; Paperex's own are the ``ErrorCode``
members; DRF's own (``not_authenticated``, ``permission_denied``, ``method_not_allowed``, ...)
keep their names.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import InterfaceError, OperationalError
from django.http import Http404
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler

from paperex.domain import RejectReason


class ErrorCode(StrEnum):
    INVALID = "invalid"
    NOT_FOUND = "not_found"
    ENGINE_UNAVAILABLE = "engine_unavailable"
    DATABASE_UNAVAILABLE = "database_unavailable"
    UNKNOWN_SYMBOL = "UNKNOWN_SYMBOL"
    ORDER_NOT_OPEN = "ORDER_NOT_OPEN"
    NO_MARKET_DATA = "no_market_data"
    PAYLOAD_TOO_LARGE = "payload_too_large"
    RATE_LIMITED = "rate_limited"
    READ_ONLY = "read_only"
    MALFORMED_FILE = "malformed_file"
    STORAGE_UNAVAILABLE = "storage_unavailable"
    VENUE_UNAVAILABLE = "venue_unavailable"
    TOO_MANY_API_KEYS = "too_many_api_keys"
    API_KEY_REFUSED = "api_key_refused"


class PaperexError(Exception):
    """An error a client is told about: its code, a message for people, the HTTP status, and
    for a service that is away (503) how many seconds to wait before trying again; ``details``
    go into the body beside ``code`` and ``message``."""

    status = 400
    retry_after: int | None = None

    def __init__(
        self,
        code: ErrorCode | RejectReason,
        message: str,
        *,
        status: int | None = None,
        fields: dict[str, Any] | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.fields = fields
        self.details = details
        if status is not None:
            self.status = status


class ServiceUnavailableError(PaperexError):
    """A service the answer needs is away: HTTP 503, worth trying again after ``retry_after``
    seconds."""

    status = 503
    retry_after = 1


@dataclass(frozen=True)
class RenderedError:
    """An error as every transport sends it: the status, the body, and ``Retry-After``."""

    status: int
    body: dict[str, Any]
    retry_after: int | None = None

    def headers(self) -> dict[str, str]:
        """The HTTP headers that go with the body."""
        return {} if self.retry_after is None else {"Retry-After": str(self.retry_after)}


def render_error(error: Exception) -> RenderedError | None:
    """How an error a client should see is told, or None for a bug (a 500)."""
    if isinstance(error, OperationalError | InterfaceError):
        # Connections lost or refused: the service is away, not broken.
        error = ServiceUnavailableError(
            ErrorCode.DATABASE_UNAVAILABLE, "The database is not available; try again."
        )
    if isinstance(error, PaperexError):
        body: dict[str, Any] = {"code": str(error.code), "message": error.message}
        if error.details is not None:
            body.update(error.details)
        if error.fields is not None:
            body["errors"] = error.fields
        return RenderedError(error.status, body, error.retry_after)
    if isinstance(error, Http404):
        error = exceptions.NotFound()
    elif isinstance(error, PermissionDenied):
        error = exceptions.PermissionDenied()
    if not isinstance(error, exceptions.APIException):
        return None
    body = {"code": _code_of(error), "message": _first_message(error.detail)}
    if isinstance(error, exceptions.ValidationError):
        body["code"] = ErrorCode.INVALID.value
        body["errors"] = _plain(error.detail)
    return RenderedError(error.status_code, body)


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's exception handler: ``render_error``'s body, with DRF's headers (WWW-Authenticate,
    Retry-After of a throttle, Allow)."""
    rendered = render_error(exc)
    if rendered is None:
        return None
    response = exception_handler(exc, context)
    if response is None:
        return Response(rendered.body, status=rendered.status, headers=rendered.headers())
    response.data = rendered.body
    return response


def _first_message(detail: Any, path: str = "") -> str:
    """The first human-readable message in a DRF error detail, prefixed by its field."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            prefix = path if key == "non_field_errors" else (f"{path}.{key}" if path else str(key))
            return _first_message(value, prefix)
    if isinstance(detail, list) and detail:
        return _first_message(detail[0], path)
    text = str(detail)
    return f"{path}: {text}" if path else text


def _plain(detail: Any) -> Any:
    """A DRF error detail with its ErrorDetail strings as plain ones (any encoder takes it)."""
    if isinstance(detail, dict):
        return {str(key): _plain(value) for key, value in detail.items()}
    if isinstance(detail, list):
        return [_plain(value) for value in detail]
    return str(detail)


def _code_of(exc: exceptions.APIException) -> str:
    codes = exc.get_codes()
    while isinstance(codes, dict | list) and codes:
        codes = next(iter(codes.values())) if isinstance(codes, dict) else codes[0]
    return codes if isinstance(codes, str) else exc.default_code
