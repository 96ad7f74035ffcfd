"""``POST /api/v3/order`` served on the event loop outside Django's request cycle.

Django's handler costs a signed order more than placing it does (a thread hop per signal, URL
resolution, middleware). This ASGI app (``takes_binance_order_lane`` picks the requests; wired
in ``paperex.config.asgi``) reads the body and hands the request to ``signed_answer``, the same
function the Django view calls, in a worker thread with its own database connection: the
signature, parameters, refusals, weights and answers are the view's own.
"""

from __future__ import annotations

import json
import time
from typing import Any

from channels.db import database_sync_to_async
from django.core.serializers.json import DjangoJSONEncoder

from paperex.apps.binance.signed import API_KEY_HEADER, signed_answer
from paperex.apps.binance.trading_views import order_new
from paperex.apps.core.fast_lane import ASGIApp, Scope, header, read_body, send_json
from paperex.apps.core.limits import client_address
from paperex.apps.core.metrics import observe_http_request

PATH = "/api/v3/order"
ROUTE = "api/v3/order"
"""The route the lane's requests are counted under, as Django names the view's."""

_answer = database_sync_to_async(signed_answer, thread_sensitive=False)
_API_KEY = API_KEY_HEADER.lower().encode()


def takes_binance_order_lane(scope: Scope) -> bool:
    """``POST /api/v3/order``: served by ``binance_order_lane``."""
    return scope.get("method") == "POST" and scope.get("path") == PATH


def binance_order_lane() -> ASGIApp:
    """The ASGI app for new orders on the Binance facade."""

    async def app(scope: Scope, receive: Any, send: Any) -> None:
        started = time.perf_counter()
        body = await read_body(receive)  # its size is held by body_limit in front
        if body is None:
            return
        answer = await _answer(
            order_new,
            api_key=header(scope, _API_KEY),
            query_string=scope.get("query_string", b""),
            body=body,
            address=client_address(scope),
        )
        content = json.dumps(answer.body, cls=DjangoJSONEncoder).encode()
        await send_json(send, answer.status, content, answer.headers)
        observe_http_request(ROUTE, "POST", answer.status, time.perf_counter() - started)

    return app
