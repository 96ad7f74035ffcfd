"""WebSocket authentication by JWT, for programs: ``Authorization: Bearer <access token>``
or ``?token=<access token>`` (browsers cannot set headers on a WebSocket). A session cookie,
handled by Channels' AuthMiddleware before this, works as well."""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async
from channels.middleware import BaseMiddleware
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from paperex.apps.core.tokens import bearer_token, token_users


def _user(user_id: int) -> AbstractBaseUser | AnonymousUser:
    return get_user_model().objects.filter(pk=user_id).first() or AnonymousUser()


async def user_of_token(raw: str) -> AbstractBaseUser | AnonymousUser:
    """The active user a valid access token names, else an anonymous user."""
    user_id = await token_users.user_id(raw)
    if user_id is None:
        return AnonymousUser()
    user: AbstractBaseUser | AnonymousUser = await database_sync_to_async(_user)(user_id)
    return user


class JwtAuthMiddleware(BaseMiddleware):  # type: ignore[misc]
    """Sets ``scope["user"]`` from a JWT when the session did not already name a user."""

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        user = scope.get("user")
        token = bearer_token(scope, from_query=True)
        if token and (user is None or not user.is_authenticated):
            scope = {**scope, "user": await user_of_token(token)}
        return await super().__call__(scope, receive, send)
