"""REST API of API keys: /api/keys/ (list, create) and /api/keys/<id>/ (revoke)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.generics import ListAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from paperex.apps.apikeys.models import ApiKey
from paperex.apps.apikeys.selectors import apikey_list
from paperex.apps.apikeys.serializers import (
    ApiKeyCreatedSerializer,
    ApiKeyCreateSerializer,
    ApiKeySerializer,
)
from paperex.apps.apikeys.services import apikey_create, apikey_revoke
from paperex.apps.core.api import user_id_of

NO_STORE = {"Cache-Control": "no-store"}


class ApiKeyListApi(ListAPIView[ApiKey]):
    """Your active API keys, newest first (without secrets), and creating one (POST)."""

    permission_classes = [IsAuthenticated]
    serializer_class = ApiKeySerializer

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return apikey_list(user_id=user_id_of(self.request))

    @extend_schema(request=ApiKeyCreateSerializer, responses={201: ApiKeyCreatedSerializer})
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = ApiKeyCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        created = apikey_create(user_id=user_id_of(request), **data.validated_data)
        return Response(
            ApiKeyCreatedSerializer(created).data, status=status.HTTP_201_CREATED, headers=NO_STORE
        )


class ApiKeyDetailApi(APIView):
    """Revoking one of your keys (DELETE): signed requests with it are refused at once."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={204: None})
    def delete(self, request: Request, api_key_id: int) -> Response:
        if not apikey_revoke(user_id=user_id_of(request), api_key_id=api_key_id):
            raise NotFound(f"No API key {api_key_id}.")
        return Response(status=status.HTTP_204_NO_CONTENT)
