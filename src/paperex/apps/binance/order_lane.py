"""``POST /api/v3/order`` served on the event loop outside Django's request cycle.

Django's handler costs a signed order more than placing it does (a thread hop per signal, URL
resolution, middleware), and its view holds a thread while the engine works. This ASGI app
(``takes_binance_order_lane`` picks the requests; wired in ``paperex.config.asgi``) runs the
view's own steps: the key from memory (``key_cache``; the engine places the order only while
the key is active, and a key it refuses is -2015 as the view says it), else read with the other
requests' (``apikey_active_read``); the order of the common request read in one pass
(``common_order_read``), any other by ``SignedRequest.verify`` and ``order_new_checked`` on the
event loop (in a worker thread for a symbol the cached markets do not hold: ``symbol_check``
asks the database); ``order_new_placed`` on the loop (the wait for the engine holds no thread);
``order_reply_answer`` on the loop, else ``order_new_answer`` in a worker thread (it reads the
order back); and answers with ``SignedRequest.answered`` or ``refused``: the signature,
parameters, refusals, weights and answers are the view's own.
"""

from __future__ import annotations

import time
from typing import Any

import msgspec
from channels.db import database_sync_to_async
from django.db import InterfaceError, OperationalError

from paperex.apps.apikeys.key_cache import verified_keys
from paperex.apps.apikeys.key_reads import apikey_active_read
from paperex.apps.apikeys.models import ApiKey
from paperex.apps.apikeys.signatures import KeyRead, api_key_rejected, api_key_valid
from paperex.apps.binance.common_order import common_order_read
from paperex.apps.binance.order_actions import order_new_placed
from paperex.apps.binance.order_parameters import NewOrder
from paperex.apps.binance.signed import API_KEY_HEADER, REFUSALS, SignedAnswer, SignedRequest
from paperex.apps.binance.trading_views import (
    order_new,
    order_new_answer,
    order_new_checked,
    order_reply_answer,
)
from paperex.apps.core.fast_lane import ASGIApp, Scope, header, read_body, send_json
from paperex.apps.core.limits import client_address
from paperex.apps.core.metrics import observe_http_request
from paperex.apps.trading.selectors.markets import order_entry_market_held
from paperex.apps.trading.services.orders import ApiKeyRefusedError
from paperex.support.clock import wall_clock_ms

PATH = "/api/v3/order"
ROUTE = "api/v3/order"
"""The route the lane's requests are counted under, as Django names the view's."""

_API_KEY = API_KEY_HEADER.lower().encode()


def takes_binance_order_lane(scope: Scope) -> bool:
    """``POST /api/v3/order``: served by ``binance_order_lane``."""
    return scope.get("method") == "POST" and scope.get("path") == PATH


def _checked(request: SignedRequest, key_read: KeyRead | None) -> NewOrder:
    _, parameters = request.verify(key_read)
    return order_new_checked(parameters)


_checked_in_thread = database_sync_to_async(_checked, thread_sensitive=False)
_answer_in_thread = database_sync_to_async(order_new_answer, thread_sensitive=False)
KeyFound = ApiKey | Exception | None
"""The request's active key, the failure of its read, or None for a malformed key."""


async def _key_found(api_key: str | None) -> KeyFound:
    """The active key ``api_key`` names: from memory (``verified_keys``), else read with the
    other requests' (``apikey_active_read``) and kept."""
    if not api_key_valid(api_key):
        return None  # refused before any read
    key = verified_keys.get(api_key)
    if key is None:
        try:
            key = await apikey_active_read(api_key)
        except (ApiKey.DoesNotExist, OperationalError, InterfaceError) as error:
            return error
        verified_keys.put(key)
    return key


def _key_read(found: KeyFound) -> KeyRead | None:
    """What ``verify`` reads the key with: ``found``, or its failure raised where ``verify``
    reads the key (after the checks that come first)."""
    if found is None:
        return None

    def read(**_: object) -> ApiKey:
        if isinstance(found, Exception):
            raise found
        return found

    return read


async def _still_active(api_key: str) -> bool:
    """Whether the key is active as the database has it now (True when it cannot say)."""
    try:
        await apikey_active_read(api_key)
    except ApiKey.DoesNotExist:
        return False
    except (OperationalError, InterfaceError):
        pass  # the database cannot say: the request's own refusal stands
    return True


def _key_refused(request: SignedRequest) -> SignedAnswer:
    """-2015 for a key revoked since it was kept, as if it had been read now: the weight is the
    client address's and no order counts are told."""
    assert request.api_key is not None
    verified_keys.evict(request.api_key)
    request.user_id = None
    return request.refused(api_key_rejected())


def _common_order(request: SignedRequest, found: KeyFound) -> NewOrder | None:
    """The order of a request of the common form (``common_order_read``), the request taken as
    the key's user; None for any other."""
    if not isinstance(found, ApiKey):
        return None
    new_order = common_order_read(
        query_string=request.query_string, body=request.body, key=found, now_ms=wall_clock_ms()
    )
    if new_order is not None:
        request.signed_by(found.user_id)
    return new_order


async def _general_order(request: SignedRequest, found: KeyFound) -> NewOrder:
    """The order of any request, by the view's steps; raises what they refuse it with."""
    key_read = _key_read(found)
    symbol = request.parameters.get("symbol", "")
    if order_entry_market_held(symbol=symbol) is None:  # symbol_check reads the database
        new_order: NewOrder = await _checked_in_thread(request, key_read)
        return new_order
    return _checked(request, key_read)  # no database read: on the loop


async def _signed_answer(request: SignedRequest) -> SignedAnswer:
    found = await _key_found(request.api_key)
    try:
        new_order = _common_order(request, found)
        if new_order is None:
            new_order = await _general_order(request, found)
        assert request.user_id is not None
        assert isinstance(found, ApiKey)  # verified
        placed = await order_new_placed(
            user_id=request.user_id, new_order=new_order, api_key_id=found.pk
        )
        response_type = new_order.response_type
        answer = order_reply_answer(placed, response_type)  # no database read: on the loop
        if answer is None:
            answer = await _answer_in_thread(
                user_id=request.user_id, placed=placed, response_type=response_type
            )
    except ApiKeyRefusedError:  # revoked since it was kept, in this process or another
        return _key_refused(request)
    except REFUSALS as error:
        if isinstance(found, ApiKey) and not await _still_active(found.api_key):
            return _key_refused(request)
        return request.refused(error)
    return request.answered(answer)


def binance_order_lane() -> ASGIApp:
    """The ASGI app for new orders on the Binance facade."""

    async def app(scope: Scope, receive: Any, send: Any) -> None:
        started = time.perf_counter()
        body = await read_body(receive)  # its size is held by body_limit in front
        if body is None:
            return
        answer = await _signed_answer(
            SignedRequest(
                order_new,
                api_key=header(scope, _API_KEY),
                query_string=scope.get("query_string", b""),
                body=body,
                address=client_address(scope),
            )
        )
        content = msgspec.json.encode(answer.body)  # strings and ints: no encoder of Django's
        await send_json(send, answer.status, content, answer.headers)
        observe_http_request(ROUTE, "POST", answer.status, time.perf_counter() - started)

    return app
