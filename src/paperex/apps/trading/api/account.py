"""The user's account over HTTP: fills, balances and positions."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework.generics import ListAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from paperex.apps.core.api import user_id_of
from paperex.apps.trading.api.serializers import (
    BalanceSerializer,
    FillFilterSerializer,
    FillSerializer,
    PositionSerializer,
)
from paperex.apps.trading.models import Balance, Fill
from paperex.apps.trading.selectors.balances import balance_list
from paperex.apps.trading.selectors.fills import fill_list
from paperex.apps.trading.selectors.portfolio import portfolio_get


class FillListApi(ListAPIView[Fill]):
    """Your fills, newest first; filter by `symbol` and `order_id`."""

    permission_classes = [IsAuthenticated]
    serializer_class = FillSerializer

    def get_queryset(self) -> Any:
        filters = FillFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return fill_list(user_id=user_id_of(self.request), **filters.validated_data)

    @extend_schema(parameters=[FillFilterSerializer])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class BalanceListApi(ListAPIView[Balance]):
    """Your balances: free, and locked by open orders."""

    permission_classes = [IsAuthenticated]
    serializer_class = BalanceSerializer
    pagination_class = None

    def get_queryset(self) -> Any:
        return balance_list(user_id=user_id_of(self.request))


class PortfolioApi(APIView):
    """Your positions: quantity, average price, market value, realized and unrealized P&L.

    `percent_change` is the market's 24h ticker change (rolling 24 hours, not since midnight
    UTC); `equity_change` is that price change times the quantity you hold now.
    """

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=PositionSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(portfolio_get(user_id=user_id_of(request)))
