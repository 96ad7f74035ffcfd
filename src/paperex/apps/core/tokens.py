"""JWT access tokens of programs: where a request carries one, and which user it names.

The one rule for bearer tokens, used by the ASGI order lane and the WebSocket handshake.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from django.contrib.auth import get_user_model
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.tokens import AccessToken

ACTIVE_USER_CHECK_SECONDS = 30.0
MAX_REMEMBERED_TOKENS = 10_000


def bearer_token(scope: dict[str, Any], *, from_query: bool = False) -> str:
    """The token of the ASGI request's ``Authorization: Bearer`` header, else (``from_query``,
    for WebSockets, whose browsers cannot set headers) of its ``token`` query parameter, else
    an empty string."""
    for name, value in scope.get("headers", ()):
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            if scheme.lower() == "bearer" and token.strip():
                return str(token.strip())
    if from_query:
        query: bytes = scope.get("query_string", b"")
        tokens = parse_qs(query.decode("latin-1")).get("token")
        if tokens:
            return tokens[-1]
    return ""


def _user_is_active(user_id: int) -> bool:
    return get_user_model().objects.filter(pk=user_id, is_active=True).exists()


class TokenUsers:
    """Which user an access token names, without verifying its signature on every request.

    A token that verified is remembered with its expiry; whether its user is still active is
    looked up again at most every ``ACTIVE_USER_CHECK_SECONDS``.
    """

    def __init__(self) -> None:
        self._tokens: dict[str, tuple[int, float]] = {}
        self._active_checked: dict[int, float] = {}

    async def user_id(self, raw: str) -> int | None:
        """The active user of a valid access token, else None."""
        if not raw:
            return None
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
"""This process's remembered tokens."""
