from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.serializers import TokenObtainPairSerializer, TokenRefreshSerializer
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView

from paperex.apps.accounts.login_limits import refuse_if_login_limited
from paperex.apps.accounts.models import User
from paperex.apps.accounts.selectors import account_get
from paperex.apps.accounts.serializers import (
    AccountSerializer,
    RegistrationSerializer,
    UserSerializer,
)
from paperex.apps.accounts.services import account_reset, user_register
from paperex.apps.core.api import ERROR_SCHEMA
from paperex.apps.core.limits import count_or_refuse, request_address
from paperex.apps.trading.api.serializers import BalanceSerializer
from paperex.apps.trading.selectors.balances import balance_list


class TokenObtainApi(TokenObtainPairView):
    """A JWT pair for a username and password; 429 while the username has failed too often
    (``login_limits``)."""

    @extend_schema(
        responses={
            200: TokenObtainPairSerializer,
            401: OpenApiResponse(
                ERROR_SCHEMA, description="No active account with this username and password."
            ),
        }
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = request.data
        refuse_if_login_limited(data.get("username") if isinstance(data, Mapping) else None)
        return super().post(request, *args, **kwargs)


class TokenRefreshApi(TokenRefreshView):
    """A new access token for a refresh token."""

    @extend_schema(
        responses={
            200: TokenRefreshSerializer,
            401: OpenApiResponse(
                ERROR_SCHEMA, description="The refresh token is invalid or expired."
            ),
        }
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().post(request, *args, **kwargs)


class AccountRegisterApi(APIView):
    """Create an account with the virtual starting balances."""

    permission_classes = [AllowAny]
    authentication_classes: list[type] = []

    @extend_schema(request=RegistrationSerializer, responses={201: UserSerializer})
    def post(self, request: Request) -> Response:
        count_or_refuse("registrations", request_address(request))
        serializer = RegistrationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            user = user_register(**serializer.validated_data)
        except DjangoValidationError as error:
            raise serializers.ValidationError({"password": list(error.messages)}) from error
        return Response(UserSerializer(user).data, status=status.HTTP_201_CREATED)


class AccountDetailApi(APIView):
    """The logged-in user and their balances."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=AccountSerializer)
    def get(self, request: Request) -> Response:
        user = cast(User, request.user)  # IsAuthenticated guarantees a real user
        return Response(AccountSerializer(account_get(user_id=user.pk)).data)


class AccountResetApi(APIView):
    """Cancel all your orders and set your balances back to the starting funds."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses=BalanceSerializer(many=True))
    def post(self, request: Request) -> Response:
        user = cast(User, request.user)
        account_reset(user=user)
        return Response(BalanceSerializer(balance_list(user_id=user.pk), many=True).data)
