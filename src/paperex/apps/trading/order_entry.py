"""``/api/orders/`` as an async view: the hot path of order entry without a thread per request.

Django runs a synchronous view (all of DRF) in a worker thread per request; for POST with a JWT
this view instead authenticates the token, validates the body and awaits the engine's committed
reply on the event loop. Everything else (GET, session-authenticated POST with its CSRF check)
goes to the DRF view ``OrderListApi`` unchanged, which is also what the OpenAPI schema documents
(``cls``/``initkwargs`` below let drf-spectacular see it).
"""

from __future__ import annotations

import json
import time
from typing import Any

from asgiref.sync import sync_to_async
from django.http import HttpRequest, HttpResponse, JsonResponse
from rest_framework import exceptions
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.tokens import AccessToken

from paperex.apps.accounts.models import User
from paperex.apps.core.errors import api_exception_handler
from paperex.apps.core.fast_lane import has_bearer_token
from paperex.apps.trading.apis import (
    EngineUnavailable,
    OrderListApi,
    order_place_from_data,
    refused,
)
from paperex.apps.trading.protocol import EngineUnavailableError
from paperex.apps.trading.services import OrderRefusedError

ACTIVE_USER_CACHE_SECONDS = 30.0
_active_users: dict[int, float] = {}
_drf_view = OrderListApi.as_view()
_drf_view_async = sync_to_async(_drf_view)


async def _token_user_id(request: HttpRequest) -> int | None:
    """The active user of a valid Bearer access token, or None (let DRF answer)."""
    header = request.headers.get("Authorization", "")
    scheme, _, raw = header.partition(" ")
    if scheme != "Bearer" or not raw:
        return None
    try:
        token = AccessToken(raw.strip())  # type: ignore[arg-type]
        user_id = int(token[jwt_settings.USER_ID_CLAIM])
    except (TokenError, KeyError, ValueError):
        return None
    checked_at = _active_users.get(user_id)
    if checked_at is None or time.monotonic() - checked_at > ACTIVE_USER_CACHE_SECONDS:
        if not await User.objects.filter(pk=user_id, is_active=True).aexists():
            return None
        _active_users[user_id] = time.monotonic()
    return user_id


def _error(exc: exceptions.APIException) -> JsonResponse:
    response = api_exception_handler(exc, {})
    assert response is not None
    return JsonResponse(response.data, status=response.status_code)


async def order_collection(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """POST with a JWT: place the order here; anything else: the DRF view."""
    if request.method != "POST":
        return await _drf_view_async(request, *args, **kwargs)
    user_id = await _token_user_id(request)
    if user_id is None:
        return await _drf_view_async(request, *args, **kwargs)
    try:
        data = json.loads(request.body or b"{}")
    except ValueError:
        return _error(exceptions.ParseError("The body is not valid JSON."))
    try:
        placement = await order_place_from_data(user_id=user_id, data=data)
    except exceptions.APIException as error:
        return _error(error)
    except OrderRefusedError as error:
        return _error(refused(error))
    except EngineUnavailableError as error:
        return _error(EngineUnavailable(str(error)))
    return JsonResponse(placement.order, status=201 if placement.created else 200)


order_collection.csrf_exempt = True  # type: ignore[attr-defined]  # DRF checks CSRF itself
order_collection.cls = OrderListApi  # type: ignore[attr-defined]  # for the OpenAPI schema
order_collection.initkwargs = {}  # type: ignore[attr-defined]


def takes_order_fast_lane(scope: dict[str, Any]) -> bool:
    """POST /api/orders/ with a JWT: served by ``order_collection`` without middleware."""
    return (
        scope.get("method") == "POST"
        and scope.get("path") == "/api/orders/"
        and has_bearer_token(scope)
    )
