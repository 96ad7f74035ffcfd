"""``POST /api/orders/`` from programs, served on the event loop outside Django's request cycle.

For each request Django's handler starts a thread for the synchronous parts, resolves the URL
and sends signals that each hop to a thread; order entry by a bot needs none of it. This ASGI
app takes POST /api/orders/ with a Bearer token and a JSON body (``takes_order_fast_lane``;
wired in ``paperex.config.asgi``): it checks the token (remembered until it expires), reads the
body and the order (``fast_order_values``, else the DRF serializer, which words any error),
places it with the same service as ``OrderListApi`` and answers with the same JSON. A request
whose token does not check out, or whose body is not JSON (a form), goes to Django as it came,
body included: Django answers its usual 401, or reads the form as the OpenAPI schema says.
"""

from __future__ import annotations

import io
import json
import time
from typing import Any

import msgspec
from django.db import InterfaceError, OperationalError
from rest_framework import exceptions
from rest_framework.parsers import JSONParser

from paperex.apps.core.errors import PaperexError, render_error
from paperex.apps.core.fast_lane import ASGIApp, Scope, header, read_body, send_json
from paperex.apps.core.limits import RateLimitedError, count_or_refuse
from paperex.apps.core.metrics import observe_http_request
from paperex.apps.core.tokens import bearer_token, token_users
from paperex.apps.trading.api.order_body import fast_order_values
from paperex.apps.trading.services.orders import order_place_from_request, order_place_from_values
from paperex.support import request_id

_encode = msgspec.json.Encoder().encode


def takes_order_fast_lane(scope: Scope) -> bool:
    """POST /api/orders/ with a Bearer token and a JSON body: served by ``order_entry_lane``.
    A form body goes to Django, which reads it as the schema says (the lane reads JSON)."""
    return (
        scope.get("method") == "POST"
        and scope.get("path") == "/api/orders/"
        and _has_json_body(scope)
        and bool(bearer_token(scope))
    )


def _has_json_body(scope: Scope) -> bool:
    for name, value in scope.get("headers", ()):
        if name == b"content-type":
            return bool(value.split(b";")[0].strip().lower() == b"application/json")
    return False


async def _place(user_id: int, body: bytes) -> tuple[int, bytes, dict[str, str]]:
    """(status, JSON body, extra headers) of placing the order ``body`` describes, as
    OrderListApi answers."""
    try:
        values = fast_order_values(body)
        if values is not None:
            placement = await order_place_from_values(user_id=user_id, values=values)
        else:
            data = JSONParser().parse(io.BytesIO(body)) if body else {}
            placement = await order_place_from_request(user_id=user_id, data=data)
    except (PaperexError, exceptions.APIException, OperationalError, InterfaceError) as error:
        return _rendered(error)
    return (201 if placement.created else 200), _encode(placement.order), {}


def _rendered(error: Exception) -> tuple[int, bytes, dict[str, str]]:
    rendered = render_error(error)
    assert rendered is not None
    return rendered.status, json.dumps(rendered.body).encode(), rendered.headers()


ROUTE = "api/orders/"
"""The route the lane's requests are counted under, as Django names OrderListApi's."""


def order_entry_lane(django_app: ASGIApp) -> ASGIApp:
    """The ASGI app for order entry by token; ``django_app`` answers what it cannot."""

    async def app(scope: Scope, receive: Any, send: Any) -> None:
        user_id = await token_users.user_id(bearer_token(scope))
        if user_id is None:  # Django answers 401, reading the body under its own limits
            await django_app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id.current.set(request_id.request_id_for(header(scope, b"x-request-id")))
        try:
            count_or_refuse("user", user_id)
        except RateLimitedError as error:
            answer = _rendered(error)
        else:
            body = await read_body(receive)  # its size is held by body_limit in front
            if body is None:
                return
            answer = await _place(user_id, body)
        status, content, headers = answer
        await send_json(
            send, status, content, {**headers, "X-Request-ID": request_id.current.get() or ""}
        )
        observe_http_request(ROUTE, "POST", status, time.perf_counter() - started)

    return app
