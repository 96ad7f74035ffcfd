"""Reads for API keys."""

from __future__ import annotations

from collections.abc import Collection

from django.db import connection
from django.db.models import QuerySet

from paperex.apps.apikeys.models import ApiKey

_ACTIVE_KEY_FIELDS = ("api_key", "id", "user_id", "kind", "secret_encrypted", "public_key")


def apikey_list(*, user_id: int) -> QuerySet[ApiKey]:
    """The user's active (not revoked) keys, newest first."""
    return ApiKey.objects.filter(user_id=user_id, revoked_at=None)


def apikeys_active(*, api_keys: list[str]) -> dict[str, ApiKey]:
    """The active keys among ``api_keys`` by their public key (the fields a signature check
    needs); unknown and revoked ones are missing.

    One plain statement: compiling the ORM's query cost more than running it."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(_ACTIVE_KEY_FIELDS)} FROM {ApiKey._meta.db_table}"
            f" WHERE api_key IN ({', '.join(['%s'] * len(api_keys))}) AND revoked_at IS NULL",
            api_keys,
        )
        rows = cursor.fetchall()
    return {row[0]: ApiKey(**dict(zip(_ACTIVE_KEY_FIELDS, row, strict=True))) for row in rows}


def apikey_active_get(*, api_key: str) -> ApiKey:
    """The active key whose public ``api_key`` this is (``apikeys_active``); raises
    ApiKey.DoesNotExist (unknown or revoked)."""
    try:
        return apikeys_active(api_keys=[api_key])[api_key]
    except KeyError as missing:
        raise ApiKey.DoesNotExist(api_key) from missing


def apikey_holders(key_ids: Collection[int]) -> dict[int, int]:
    """{key id: its user's id} for the active keys among ``key_ids``: what the engine host
    checks a batch's keyed orders against (``core.key_holders``), once per batch on its
    thread, so one plain statement."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, user_id FROM {ApiKey._meta.db_table}"
            f" WHERE id IN ({', '.join(['%s'] * len(key_ids))}) AND revoked_at IS NULL",
            list(key_ids),
        )
        return dict(cursor.fetchall())
