"""One error shape for the whole API: ``{"code": ..., "message": ..., "errors": ...}``."""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler


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


def _code_of(exc: exceptions.APIException) -> str:
    codes = exc.get_codes()
    while isinstance(codes, dict | list) and codes:
        codes = next(iter(codes.values())) if isinstance(codes, dict) else codes[0]
    return codes if isinstance(codes, str) else exc.default_code


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    response = exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response
    body: dict[str, Any] = {"code": _code_of(exc), "message": _first_message(exc.detail)}
    if isinstance(exc, exceptions.ValidationError):
        body["code"] = "invalid"
        body["errors"] = exc.detail
    response.data = body
    return response
