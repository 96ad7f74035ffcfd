"""Reads for API keys."""

from __future__ import annotations

from django.db import connection
from django.db.models import QuerySet

from paperex.apps.apikeys.models import ApiKey

_ACTIVE_KEY_FIELDS = ("id", "user_id", "kind", "secret_encrypted", "public_key")
_ACTIVE_KEY_SQL = (
    f"SELECT {', '.join(_ACTIVE_KEY_FIELDS)} FROM {ApiKey._meta.db_table}"
    " WHERE api_key = %s AND revoked_at IS NULL"
)


def apikey_list(*, user_id: int) -> QuerySet[ApiKey]:
    """The user's active (not revoked) keys, newest first."""
    return ApiKey.objects.filter(user_id=user_id, revoked_at=None)


def apikey_active_get(*, api_key: str) -> ApiKey:
    """The active key whose public ``api_key`` this is (the fields a signature check needs);
    raises ApiKey.DoesNotExist (unknown or revoked).

    One plain statement: every signed request reads its key (never cached, so a revoked key is
    refused at once), and compiling the ORM's query cost more than running it."""
    with connection.cursor() as cursor:
        cursor.execute(_ACTIVE_KEY_SQL, [api_key])
        row = cursor.fetchone()
    if row is None:
        raise ApiKey.DoesNotExist(api_key)
    return ApiKey(api_key=api_key, **dict(zip(_ACTIVE_KEY_FIELDS, row, strict=True)))
