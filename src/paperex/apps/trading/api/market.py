"""A market's exchange side over HTTP: public trades and the order book."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from paperex.apps.markets.apis import SYMBOL_PARAMETER, market_or_404
from paperex.apps.markets.serializers import BookQuerySerializer
from paperex.apps.trading.api.serializers import (
    PublicTradeQuerySerializer,
    PublicTradeSerializer,
)
from paperex.apps.trading.selectors.exchange_book import book_get
from paperex.apps.trading.selectors.trades import public_trade_list


class PublicTradeListApi(APIView):
    """The exchange's recent public trades in a market (users' and paper fills), newest first."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[SYMBOL_PARAMETER, PublicTradeQuerySerializer],
        responses=PublicTradeSerializer(many=True),
    )
    def get(self, request: Request, symbol: str) -> Response:
        market = market_or_404(symbol)
        query = PublicTradeQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        trades = public_trade_list(market_id=market.pk, limit=query.validated_data["limit"])
        return Response(PublicTradeSerializer(trades, many=True).data)  # type: ignore[arg-type]


class BookSourceSerializer(BookQuerySerializer):
    source = serializers.ChoiceField(  # type: ignore[assignment]
        choices=["feed", "exchange", "merged"],
        default="feed",
        help_text="feed: the venue's book; exchange: users' resting orders; merged: both summed",
    )


class MarketBookApi(APIView):
    """The order book: the feed's (default), the users' resting orders, or both merged."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[SYMBOL_PARAMETER, BookSourceSerializer], responses=OpenApiTypes.OBJECT
    )
    def get(self, request: Request, symbol: str) -> Response:
        market = market_or_404(symbol)
        query = BookSourceSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        depth, source = query.validated_data["depth"], query.validated_data["source"]
        return Response(book_get(market=market, depth=depth, source=source))
