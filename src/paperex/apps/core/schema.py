"""The OpenAPI schema documents every error an endpoint can answer, from what the view is.

``ErrorAnswersAutoSchema`` (drf-spectacular's default schema class in the settings) adds to the
answers a view declares the errors any view like it can give, in the one error body:

- 400 for a request body or query parameters (invalid input),
- 401 when the view authenticates (no credentials where they are needed, or a bad token),
- 403 when anonymous callers are refused (permissions) or a session must pass the CSRF check,
- 404 for a path parameter (no such object),
- 413 and 415 for a method that sends a body (over the size limit, ``body_limit``; a content
  type no parser reads),
- 429 for every path the address limit counts and every authenticating view (the user limit),
- 503 for every view that needs the database or the engine (unless ``needs_services = False``),

A view declares the answers of its own (a 401 for a wrong password, a 404 for an unknown market
in the body, a 202, ...) with ``extend_schema``; those win over these. Every 429 and 503 carries
Retry-After.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import SAFE_METHODS

from paperex.apps.core.address_limits import UNLIMITED_PREFIXES
from paperex.apps.core.api import ERROR_SCHEMA, RATE_LIMITED_SCHEMA

BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
JSON = "application/json"

DESCRIPTIONS = {
    400: "Invalid request: `errors` names each field's problems.",
    401: "Not authenticated, or the token is invalid or expired.",
    403: "Not allowed: not an admin, or a session's request without its CSRF token.",
    404: "No such object, or not yours.",
    413: "The request body is over the size limit.",
    415: "The request body's content type is not one the operation reads.",
    429: "A rate limit was reached (`limit` names it); try again after Retry-After seconds.",
    503: "A service the answer needs (the database, the engine) is away; try again after "
    "Retry-After seconds.",
}

RETRY_AFTER_HEADER = {
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "required": True,
        "schema": {"type": "integer", "minimum": 0},
    }
}
RETRYABLE = ("429", "503")


class ErrorAnswersAutoSchema(AutoSchema):
    """drf-spectacular's AutoSchema with every error answer documented (module docstring)."""

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        for status, description in self.error_answers().items():
            body = RATE_LIMITED_SCHEMA if status == 429 else ERROR_SCHEMA
            responses.setdefault(
                str(status),
                self._get_response_for_code(  # type: ignore[no-untyped-call]
                    OpenApiResponse(body, description=description), str(status), [JSON]
                ),
            )
        for retryable in RETRYABLE:
            if retryable in responses:
                responses[retryable]["headers"] = {
                    **responses[retryable].get("headers", {}),
                    **RETRY_AFTER_HEADER,
                }
        return dict(sorted(responses.items()))

    def error_answers(self) -> dict[int, str]:
        """The error statuses this operation can answer, with what each means."""
        authenticators = self.view.get_authenticators()
        sends_body = self.method in BODY_METHODS
        reads_input = (
            sends_body and self.get_request_serializer() is not None
        ) or self._has_query_parameters()
        anonymous_allowed = not self.view.get_permissions() or {} in self.get_auth()
        csrf_checked = self.method not in SAFE_METHODS and any(
            isinstance(authenticator, SessionAuthentication) for authenticator in authenticators
        )
        statuses = {
            400: reads_input,
            401: bool(authenticators),
            403: not anonymous_allowed or csrf_checked,
            404: "{" in self.path,
            413: sends_body,
            415: sends_body,
            429: bool(authenticators) or not self.path.startswith(UNLIMITED_PREFIXES),
            503: getattr(self.view, "needs_services", True),
        }
        return {status: DESCRIPTIONS[status] for status, answers in statuses.items() if answers}

    def _has_query_parameters(self) -> bool:
        """Whether the operation takes query parameters that are checked (pagination's are
        not: a bad limit or offset falls back to the default)."""
        paginator = self._get_paginator() if self._is_list_view() else None  # type: ignore[no-untyped-call]
        paging = (
            {
                parameter["name"]
                for parameter in paginator.get_schema_operation_parameters(self.view)
            }
            if paginator
            else set()
        )
        return any(
            parameter["in"] == "query" and parameter["name"] not in paging
            for parameter in self._get_parameters()
        )
