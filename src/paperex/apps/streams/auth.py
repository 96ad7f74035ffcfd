"""WebSocket authentication by JWT, for programs: ``Authorization: Bearer <access token>``
or ``?token=<access token>`` (browsers cannot set headers on a WebSocket). A session cookie,
handled by Channels' AuthMiddleware before this, works as well."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.middleware import BaseMiddleware
from django.contrib.auth.models import AnonymousUser
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.tokens import AccessToken

from paperex.apps.accounts.models import User


def bearer_token(scope: dict[str, Any]) -> str | None:
    """The access token of the handshake's Authorization header or ``token`` query parameter."""
    headers: list[tuple[bytes, bytes]] = scope.get("headers", [])
    for name, value in headers:
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            if scheme.lower() == "bearer" and token.strip():
                return token.strip()
    query: bytes = scope.get("query_string", b"")
    tokens = parse_qs(query.decode("latin-1")).get("token")
    return tokens[-1] if tokens else None


def _active_user(user_id: Any) -> User | AnonymousUser:
    return User.objects.filter(pk=user_id, is_active=True).first() or AnonymousUser()


async def user_of_token(raw: str) -> User | AnonymousUser:
    """The active user a valid access token names, else an anonymous user."""
    try:
        user_id = AccessToken(raw)[jwt_settings.USER_ID_CLAIM]  # type: ignore[arg-type]
    except (TokenError, KeyError):
        return AnonymousUser()
    user: User | AnonymousUser = await database_sync_to_async(_active_user)(user_id)
    return user


class JwtAuthMiddleware(BaseMiddleware):  # type: ignore[misc]
    """Sets ``scope["user"]`` from a JWT when the session did not already name a user."""

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        user = scope.get("user")
        token = bearer_token(scope)
        if token and (user is None or not user.is_authenticated):
            scope = {**scope, "user": await user_of_token(token)}
        return await super().__call__(scope, receive, send)
