"""Reads for API keys."""

from __future__ import annotations

from django.db.models import QuerySet

from paperex.apps.apikeys.models import ApiKey


def apikey_list(*, user_id: int) -> QuerySet[ApiKey]:
    """The user's active (not revoked) keys, newest first."""
    return ApiKey.objects.filter(user_id=user_id, revoked_at=None)


def apikey_active_get(*, api_key: str) -> ApiKey:
    """The active key whose public ``api_key`` this is; raises ApiKey.DoesNotExist (unknown or
    revoked)."""
    return ApiKey.objects.get(api_key=api_key, revoked_at=None)
