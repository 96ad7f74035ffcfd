"""Middleware of our own."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase

from paperex.apps.core.metrics import observe_http_request
from paperex.support import request_id


class RequestObservation:
    """First in MIDDLEWARE: gives each request an id (the client's ``X-Request-ID`` or a new
    one) for its log lines and its answer, and counts and times it by route for ``/metrics``."""

    sync_capable = True
    async_capable = False

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        started = time.perf_counter()
        token = request_id.current.set(
            request_id.request_id_for(request.headers.get("X-Request-ID"))
        )
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id.current.get() or ""
        finally:
            request_id.current.reset(token)
        match = request.resolver_match
        route = match.route if match is not None else "unmatched"
        observe_http_request(
            route, str(request.method), response.status_code, time.perf_counter() - started
        )
        return response


class SyncChainMiddleware:
    """Last in MIDDLEWARE, and synchronous only, so that Django runs the whole chain in one
    worker thread per request.

    Django's own middleware can run either way, but in async mode each of their hooks hops to a
    thread and back (about 17 hops a request here, each costing more than the hook); a
    synchronous chain hops once. Async views behind it still work, and the JWT fast lane for
    order entry (``paperex.config.asgi``) skips the chain altogether.
    """

    sync_capable = True
    async_capable = False

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)
