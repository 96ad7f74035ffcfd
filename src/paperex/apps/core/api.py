"""What every API view shares: the error schemas and the authenticated user's id."""

from __future__ import annotations

from typing import cast

from django.contrib.auth.models import AbstractBaseUser
from drf_spectacular.utils import inline_serializer
from rest_framework import serializers
from rest_framework.request import Request

ERROR_SCHEMA = inline_serializer(
    "Error",
    {
        "code": serializers.CharField(),
        "message": serializers.CharField(),
        "errors": serializers.DictField(
            required=False, help_text="for invalid input: each field's problems"
        ),
    },
)
"""The body of every 4xx and 5xx answer (see ``errors.render_error``); an error may add fields
of its own beside ``code`` and ``message``."""

RATE_LIMITED_SCHEMA = inline_serializer(
    "RateLimited",
    {
        "code": serializers.CharField(help_text="rate_limited"),
        "message": serializers.CharField(),
        "limit": serializers.CharField(help_text="the limit reached: address, user, orders, ..."),
    },
)
"""The body of a 429 (``limits.RateLimitedError``)."""


def user_id_of(request: Request) -> int:
    """The id of the request's authenticated user."""
    return int(cast(AbstractBaseUser, request.user).pk)
