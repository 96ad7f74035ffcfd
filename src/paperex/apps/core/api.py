"""What every API view shares: the error schema and the authenticated user's id."""

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
        "errors": serializers.DictField(required=False),
    },
)
"""The body of every 4xx and 5xx answer (see ``errors.render_error``)."""


def user_id_of(request: Request) -> int:
    """The id of the request's authenticated user."""
    return int(cast(AbstractBaseUser, request.user).pk)
