from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from paperex.apps.core.api import ERROR_SCHEMA
from paperex.apps.markets.models import Asset, Market
from paperex.apps.markets.selectors import asset_list, market_get, market_list
from paperex.apps.markets.serializers import AssetSerializer, MarketSerializer

SYMBOL_PARAMETER = OpenApiParameter(
    "symbol", OpenApiTypes.STR, OpenApiParameter.PATH, description="e.g. BTCUSDT or AAPL"
)


UNKNOWN_MARKET = OpenApiResponse(ERROR_SCHEMA, description="No market of this symbol.")
"""The answer of ``market_or_404`` for a symbol that is not in the path (a body's)."""


def market_or_404(symbol: str) -> Market:
    """The market, or a 404 in the API's error shape."""
    try:
        return market_get(symbol=symbol)
    except Market.DoesNotExist as missing:
        raise NotFound(f"Unknown market {symbol!r}.") from missing


class AssetListApi(ListAPIView[Asset]):
    """Every asset: coins, fiat currencies and stocks."""

    permission_classes = [AllowAny]
    serializer_class = AssetSerializer
    pagination_class = None

    def get_queryset(self) -> QuerySet[Asset]:
        return asset_list()


class MarketFilterSerializer(serializers.Serializer[None]):
    kind = serializers.ChoiceField(choices=Market.Kind.choices, required=False)
    status = serializers.ChoiceField(choices=Market.Status.choices, required=False)


class MarketListApi(APIView):
    """Every market with its trading rules; filter by `kind` and `status`."""

    permission_classes = [AllowAny]

    @extend_schema(parameters=[MarketFilterSerializer], responses=MarketSerializer(many=True))
    def get(self, request: Request) -> Response:
        filters = MarketFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        markets = market_list(**filters.validated_data)
        return Response(MarketSerializer(markets, many=True).data)


class MarketDetailApi(APIView):
    """One market by symbol (case-insensitive), e.g. BTCUSDT or AAPL."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[SYMBOL_PARAMETER],
        responses=MarketSerializer,
    )
    def get(self, request: Request, symbol: str) -> Response:
        return Response(MarketSerializer(market_or_404(symbol)).data)
