"""Market data over HTTP: a market's candles (the stored ones and the open one) and its rolling
24h ticker."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from paperex.apps.core.errors import ErrorCode, PaperexError
from paperex.apps.marketdata.selectors import candle_list_with_open, ticker_get
from paperex.apps.markets.apis import SYMBOL_PARAMETER, market_or_404
from paperex.apps.markets.serializers import CandleQuerySerializer, CandleSerializer


class CandleListApi(APIView):
    """OHLCV candles of a market, oldest first (Binance kline semantics; times in ms, UTC); the
    last is the open candle, still changing, when the range reaches it."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[SYMBOL_PARAMETER, CandleQuerySerializer],
        responses=CandleSerializer(many=True),
    )
    def get(self, request: Request, symbol: str) -> Response:
        market = market_or_404(symbol)
        query = CandleQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        candles = candle_list_with_open(
            market=market,
            interval=query.validated_data["interval"],
            start=query.validated_data.get("start"),
            end=query.validated_data.get("end"),
            limit=query.validated_data["limit"],
        )
        return Response(CandleSerializer(candles, many=True).data)


class TickerApi(APIView):
    """The market's rolling 24h ticker (price change, high, low, volume, best bid/ask)."""

    permission_classes = [AllowAny]

    @extend_schema(parameters=[SYMBOL_PARAMETER], responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, symbol: str) -> Response:
        market = market_or_404(symbol)
        ticker = ticker_get(symbol=market.symbol)
        if ticker is None:
            raise PaperexError(
                ErrorCode.NO_MARKET_DATA,
                f"No ticker for {market.symbol} yet: its feed has not reported a trade.",
                status=404,
            )
        return Response(ticker)
