"""A second Django ASGI handler without middleware, for requests that need none of it.

Order entry by programs (a JWT in the Authorization header) needs no session, CSRF check,
messages or clickjacking header, and its view is async and authenticates the token itself;
skipping the chain saves every thread hop of a request.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from django.core.handlers.asgi import ASGIHandler
from django.core.handlers.exception import convert_exception_to_response
from django.http import HttpRequest, HttpResponse, HttpResponseBase

Scope = dict[str, Any]
ASGIApp = Callable[[Scope, Any, Any], Awaitable[None]]


class MiddlewareFreeHandler(ASGIHandler):
    """Django's ASGI handler with an empty middleware chain."""

    def load_middleware(self, is_async: bool = False) -> None:
        self._view_middleware: list[Any] = []
        self._template_response_middleware: list[Any] = []
        self._exception_middleware: list[Any] = []
        self._middleware_chain = convert_exception_to_response(self._respond)

    async def _respond(self, request: HttpRequest) -> HttpResponseBase:
        response: HttpResponseBase = await self._get_response_async(request)  # type: ignore[attr-defined]
        # What CommonMiddleware would add: keep-alive clients rely on it.
        if isinstance(response, HttpResponse) and not response.has_header("Content-Length"):
            response.headers["Content-Length"] = str(len(response.content))
        return response


def fast_lane(default: ASGIApp, fast: ASGIApp, takes_fast_lane: Callable[[Scope], bool]) -> ASGIApp:
    """An HTTP app that sends the requests ``takes_fast_lane`` picks to ``fast``."""

    async def app(scope: Scope, receive: Any, send: Any) -> None:
        if takes_fast_lane(scope):
            await fast(scope, receive, send)
        else:
            await default(scope, receive, send)

    return app


def has_bearer_token(scope: Scope) -> bool:
    """Whether the request carries ``Authorization: Bearer ...``."""
    return any(
        name == b"authorization" and value[:7].lower() == b"bearer "
        for name, value in scope.get("headers", ())
    )
