"""Limits per client address in front of the application, before any of it runs: requests
(HTTP), logins from an address that failed too often (refused before a password is checked,
so a flood of wrong passwords costs no hashing), and new WebSocket connections.

A refused HTTP request gets the one error body with 429 and ``Retry-After``; a refused
WebSocket handshake gets the same as an HTTP answer where the server supports it (uvicorn
does), else a close before the handshake completes.
"""

from __future__ import annotations

import json
from typing import Any

from paperex.apps.core.errors import render_error
from paperex.apps.core.fast_lane import ASGIApp, Scope, json_headers, send_json
from paperex.apps.core.limits import (
    RateLimitedError,
    client_address,
    count_or_refuse,
    refuse_if_reached,
)
from paperex.apps.core.metrics import websocket_connections

UNLIMITED_PREFIXES = ("/static/", "/api/health/", "/metrics")
"""Assets, the probes of load balancers and supervisors, and the scrapes of metrics are never
refused."""
LOGIN_PATHS = frozenset({"/api/token/", "/accounts/login/"})


def _http_refusal(scope: Scope, address: str) -> RateLimitedError | None:
    path: str = scope.get("path", "")
    if path.startswith(UNLIMITED_PREFIXES):
        return None
    try:
        if scope.get("method") == "POST" and path in LOGIN_PATHS:
            refuse_if_reached("login_address", address)
        count_or_refuse("address", address)
    except RateLimitedError as error:
        return error
    return None


def address_limited(app: ASGIApp) -> ASGIApp:
    """``app`` behind the per-address limits (see the module docstring)."""

    async def limited(scope: Scope, receive: Any, send: Any) -> None:
        kind = scope["type"]
        if kind == "http":
            refusal = _http_refusal(scope, client_address(scope))
            if refusal is not None:
                rendered = render_error(refusal)
                assert rendered is not None
                await send_json(
                    send, rendered.status, json.dumps(rendered.body).encode(), rendered.headers()
                )
                return
        elif kind == "websocket":
            try:
                count_or_refuse("ws_connections", client_address(scope))
            except RateLimitedError as error:
                await _deny_handshake(scope, receive, send, error)
                return
            websocket_connections.inc()
            try:
                await app(scope, receive, send)
            finally:
                websocket_connections.dec()
            return
        await app(scope, receive, send)

    return limited


async def _deny_handshake(scope: Scope, receive: Any, send: Any, error: RateLimitedError) -> None:
    message = await receive()
    if message["type"] != "websocket.connect":
        return
    if "websocket.http.response" not in scope.get("extensions", {}):
        await send({"type": "websocket.close", "code": 1008})
        return
    rendered = render_error(error)
    assert rendered is not None
    body = json.dumps(rendered.body).encode()
    headers = json_headers(body, rendered.headers())
    await send({"type": "websocket.http.response.start", "status": 429, "headers": headers})
    await send({"type": "websocket.http.response.body", "body": body})
