"""``POST /api/orders/`` from programs, served on the event loop outside Django's request cycle.

For each request Django's handler starts a thread for the synchronous parts, resolves the URL
and sends signals that each hop to a thread; order entry by a bot needs none of it. This ASGI
app takes POST /api/orders/ with a Bearer token (``takes_order_fast_lane``): it reads the body,
checks the token (remembered until it expires), reads the order (``fast_order_values``, else
the DRF serializer, which words any error), places it and answers with the JSON the DRF view
``OrderListApi`` would give. A request whose token does not check out goes to Django as it
came, body included, and gets Django's usual 401.
"""

from __future__ import annotations

import io
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

import msgspec
from channels.db import database_sync_to_async
from django.conf import settings
from rest_framework import exceptions
from rest_framework.parsers import JSONParser
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.tokens import AccessToken

from paperex.apps.accounts.models import User
from paperex.apps.core.errors import api_exception_handler
from paperex.apps.core.fast_lane import ASGIApp, Scope
from paperex.apps.trading.apis import (
    EngineUnavailable,
    order_place_from_data,
    order_place_from_values,
    refused,
)
from paperex.apps.trading.order_request import fast_order_values
from paperex.apps.trading.protocol import EngineUnavailableError
from paperex.apps.trading.services import OrderRefusedError

Receive = Callable[[], Awaitable[Any]]

ACTIVE_USER_CHECK_SECONDS = 30.0
MAX_REMEMBERED_TOKENS = 10_000
_encode = msgspec.json.Encoder().encode


def _user_is_active(user_id: int) -> bool:
    return User.objects.filter(pk=user_id, is_active=True).exists()


class TokenUsers:
    """Which user an access token is, without verifying a token's signature on every request.

    A token that verified is remembered with its expiry; whether its user is still active is
    looked up again at most every ``ACTIVE_USER_CHECK_SECONDS``.
    """

    def __init__(self) -> None:
        self._tokens: dict[str, tuple[int, float]] = {}
        self._active_checked: dict[int, float] = {}

    async def user_id(self, raw: str) -> int | None:
        """The active user of a valid access token, else None."""
        now = time.time()
        known = self._tokens.get(raw)
        if known is None or known[1] <= now:
            known = self._verify(raw)
            if known is None:
                return None
            if len(self._tokens) >= MAX_REMEMBERED_TOKENS:
                self._tokens.clear()
            self._tokens[raw] = known
        user_id = known[0]
        checked = self._active_checked.get(user_id)
        if checked is None or time.monotonic() - checked > ACTIVE_USER_CHECK_SECONDS:
            if not await database_sync_to_async(_user_is_active)(user_id):
                self._active_checked.pop(user_id, None)
                return None
            self._active_checked[user_id] = time.monotonic()
        return user_id

    @staticmethod
    def _verify(raw: str) -> tuple[int, float] | None:
        try:
            token = AccessToken(raw)  # type: ignore[arg-type]
            return int(token[jwt_settings.USER_ID_CLAIM]), float(token["exp"])
        except (TokenError, KeyError, ValueError):
            return None


token_users = TokenUsers()


def _bearer_token(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            return token.strip() if scheme.lower() == "bearer" else ""
    return ""


def takes_order_fast_lane(scope: Scope) -> bool:
    """POST /api/orders/ with a Bearer token: served by ``order_entry_lane``."""
    return (
        scope.get("method") == "POST"
        and scope.get("path") == "/api/orders/"
        and bool(_bearer_token(scope))
    )


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    return b"".join(chunks)


def _replayed(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that gives ``body`` again, then whatever ``receive`` gives."""
    sent = False

    async def replay() -> Any:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


def _error(exc: exceptions.APIException) -> tuple[int, bytes]:
    response = api_exception_handler(exc, {})
    assert response is not None
    return response.status_code, json.dumps(response.data).encode()


async def _place(user_id: int, body: bytes) -> tuple[int, bytes]:
    """(status, JSON body) of placing the order ``body`` describes, as OrderListApi answers."""
    try:
        values = fast_order_values(body)
        if values is not None:
            placement = await order_place_from_values(user_id=user_id, values=values)
        else:
            data = JSONParser().parse(io.BytesIO(body)) if body else {}
            placement = await order_place_from_data(user_id=user_id, data=data)
    except exceptions.APIException as error:
        return _error(error)
    except OrderRefusedError as error:
        return _error(refused(error))
    except EngineUnavailableError as error:
        return _error(EngineUnavailable(str(error)))
    return (201 if placement.created else 200), _encode(placement.order)


def order_entry_lane(django_app: ASGIApp) -> ASGIApp:
    """The ASGI app for order entry by token; ``django_app`` answers what it cannot."""

    async def app(scope: Scope, receive: Any, send: Any) -> None:
        user_id = await token_users.user_id(_bearer_token(scope))
        if user_id is None:  # Django answers 401, reading the body under its own limits
            await django_app(scope, receive, send)
            return
        body = await _read_body(receive)
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and len(body) > limit:  # Django refuses it as it always does
            await django_app(scope, _replayed(body, receive), send)
            return
        status, content = await _place(user_id, body)
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(content)).encode()),
                    (b"x-content-type-options", b"nosniff"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": content})

    return app
