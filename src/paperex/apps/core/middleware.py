"""Middleware of our own."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase


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
