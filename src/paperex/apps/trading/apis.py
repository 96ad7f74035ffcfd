"""HTTP layer of trading: validate, call a service or selector, shape the answer."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from asgiref.sync import async_to_sync
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, NotFound
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from paperex.apps.accounts.models import User
from paperex.apps.core.fields import format_amount
from paperex.apps.markets.apis import SYMBOL_PARAMETER, market_or_404
from paperex.apps.markets.models import Market
from paperex.apps.markets.selectors import order_book_get
from paperex.apps.markets.serializers import BookQuerySerializer
from paperex.apps.trading.models import Balance, Fill, Order
from paperex.apps.trading.portfolio import portfolio_get
from paperex.apps.trading.protocol import EngineUnavailableError
from paperex.apps.trading.selectors import (
    balance_list,
    exchange_book_get,
    fill_list,
    order_get,
    order_list,
    public_trade_list,
)
from paperex.apps.trading.serializers import (
    BalanceSerializer,
    CancelAllSerializer,
    FillFilterSerializer,
    FillSerializer,
    OrderFilterSerializer,
    OrderPlaceSerializer,
    OrderSerializer,
    PositionSerializer,
    PublicTradeQuerySerializer,
    PublicTradeSerializer,
)
from paperex.apps.trading.services import (
    OrderPlacement,
    OrderRefusedError,
    account_reset,
    order_cancel,
    order_place,
    orders_cancel_all,
)
from paperex.domain import OrderType, SelfTradePrevention, Side, TimeInForce

ERROR = inline_serializer(
    "Error",
    {
        "code": serializers.CharField(),
        "message": serializers.CharField(),
        "errors": serializers.DictField(required=False),
    },
)


class EngineUnavailable(APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "engine_unavailable"
    default_detail = "The matching engine is not available; try again."


class OrderRefused(APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid"


def refused(error: OrderRefusedError) -> APIException:
    """The API error for a refused order: a 400 whose code is the engine's reason."""
    if error.not_found:
        return NotFound(error.message)
    return OrderRefused(error.message, code=error.code)


def _user_id(request: Request) -> int:
    return cast(User, request.user).pk


async def order_place_from_data(*, user_id: int, data: Any) -> OrderPlacement:
    """Validate a POST /api/orders/ body with ``OrderPlaceSerializer`` and place the order.

    Raises ValidationError, OrderRefusedError and EngineUnavailableError.
    """
    serializer = OrderPlaceSerializer(data=data)
    serializer.is_valid(raise_exception=True)
    return await order_place_from_values(user_id=user_id, values=serializer.validated_data)


async def order_place_from_values(*, user_id: int, values: dict[str, Any]) -> OrderPlacement:
    """Place an order from validated values (the serializer's ``validated_data``)."""
    stp = values.get("self_trade_prevention")
    return await order_place(
        user_id=user_id,
        symbol=values["symbol"],
        side=Side(values["side"]),
        order_type=OrderType(values["type"]),
        time_in_force=TimeInForce(values["time_in_force"]),
        quantity=values.get("quantity"),
        price=values.get("price"),
        stop_price=values.get("stop_price"),
        quote_amount=values.get("quote_order_qty"),
        client_order_id=values.get("client_order_id"),
        self_trade_prevention=None if stp is None else SelfTradePrevention(stp),
    )


class OrderListApi(ListAPIView[Order]):
    """Your orders (GET, filtered, sorted, paginated) and placing a new one (POST).

    POST answers 201 with the stored order, or 200 with the existing order when
    `client_order_id` was already used (a safe retry). Refusals are 400s whose `code` is the
    engine's reason: `PRICE_FILTER` (off tick or not positive), `LOT_SIZE`, `NOTIONAL`,
    `INSUFFICIENT_BALANCE`, `UNKNOWN_SYMBOL`, `WOULD_MATCH_IMMEDIATELY`, ... A 503 means no
    engine answered; retry with the same `client_order_id`.
    """

    permission_classes = [IsAuthenticated]
    serializer_class = OrderSerializer

    def get_queryset(self) -> Any:
        filters = OrderFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return order_list(user_id=_user_id(self.request), **filters.validated_data)

    @extend_schema(parameters=[OrderFilterSerializer])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=OrderPlaceSerializer,
        responses={201: OrderSerializer, 200: OrderSerializer, 400: ERROR, 503: ERROR},
    )
    def post(self, request: Request) -> Response:
        try:
            placement = async_to_sync(order_place_from_data)(
                user_id=_user_id(request), data=request.data
            )
        except OrderRefusedError as error:
            raise refused(error) from error
        except EngineUnavailableError as error:
            raise EngineUnavailable(str(error)) from error
        return Response(
            placement.order, status=status.HTTP_201_CREATED if placement.created else 200
        )


class OrderDetailApi(APIView):
    """One of your orders (GET) or cancel it (DELETE); another user's order is a 404."""

    permission_classes = [IsAuthenticated]

    def _order(self, request: Request, order_id: int) -> Order:
        try:
            return order_get(user_id=_user_id(request), order_id=order_id)
        except Order.DoesNotExist as missing:
            raise NotFound("No such order.") from missing

    @extend_schema(responses={200: OrderSerializer, 404: ERROR})
    def get(self, request: Request, order_id: int) -> Response:
        return Response(OrderSerializer(self._order(request, order_id)).data)

    @extend_schema(responses={200: OrderSerializer, 400: ERROR, 404: ERROR, 503: ERROR})
    def delete(self, request: Request, order_id: int) -> Response:
        order = self._order(request, order_id)
        try:
            canceled = order_cancel(
                user_id=order.user_id, order_id=order.id, symbol=order.market.symbol
            )
        except OrderRefusedError as error:
            raise refused(error) from error
        except EngineUnavailableError as error:
            raise EngineUnavailable(str(error)) from error
        return Response(canceled)


class OrderCancelAllApi(APIView):
    """Cancel all your open orders, in one market (`symbol`) or everywhere."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=CancelAllSerializer, responses={200: OrderSerializer(many=True)})
    def post(self, request: Request) -> Response:
        body = CancelAllSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        symbol = body.validated_data.get("symbol")
        if symbol:
            symbol = market_or_404(symbol).symbol
        try:
            canceled = orders_cancel_all(user_id=_user_id(request), symbol=symbol)
        except EngineUnavailableError as error:
            raise EngineUnavailable(str(error)) from error
        return Response(canceled)


class FillListApi(ListAPIView[Fill]):
    """Your fills, newest first; filter by `symbol` and `order_id`."""

    permission_classes = [IsAuthenticated]
    serializer_class = FillSerializer

    def get_queryset(self) -> Any:
        filters = FillFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return fill_list(user_id=_user_id(self.request), **filters.validated_data)

    @extend_schema(parameters=[FillFilterSerializer])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class BalanceListApi(ListAPIView[Balance]):
    """Your balances: free, and locked by open orders."""

    permission_classes = [IsAuthenticated]
    serializer_class = BalanceSerializer
    pagination_class = None

    def get_queryset(self) -> Any:
        return balance_list(user_id=_user_id(self.request))


class PortfolioApi(APIView):
    """Your positions: quantity, average price, market value, realized and unrealized P&L.

    `percent_change` is the market's 24h ticker change (rolling 24 hours, not since midnight
    UTC); `equity_change` is that price change times the quantity you hold now.
    """

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=PositionSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(portfolio_get(user_id=_user_id(request)))


class AccountResetApi(APIView):
    """Cancel all your orders and set your balances back to the starting funds."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={200: BalanceSerializer(many=True), 503: ERROR})
    def post(self, request: Request) -> Response:
        user = cast(User, request.user)
        try:
            account_reset(user=user)
        except EngineUnavailableError as error:
            raise EngineUnavailable(str(error)) from error
        return Response(BalanceSerializer(balance_list(user_id=user.pk), many=True).data)


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
        return Response(_book(market, depth, source))


def _book(market: Market, depth: int, source: str) -> dict[str, Any]:
    feed = order_book_get(symbol=market.symbol, depth=depth)
    if source == "feed":
        return feed
    exchange = exchange_book_get(market_id=market.pk, depth=depth)
    if source == "exchange":
        return {"symbol": market.symbol, "source": "exchange", **exchange}
    return {
        **feed,
        "source": "merged",
        "bids": _merge(feed["bids"], exchange["bids"], descending=True)[:depth],
        "asks": _merge(feed["asks"], exchange["asks"], descending=False)[:depth],
    }


def _merge(*sides: list[list[str]], descending: bool) -> list[list[str]]:
    totals: dict[Decimal, Decimal] = {}
    for side in sides:
        for price, quantity in side:
            totals[Decimal(price)] = totals.get(Decimal(price), Decimal(0)) + Decimal(quantity)
    return [
        [format_amount(price), format_amount(quantity)]
        for price, quantity in sorted(totals.items(), reverse=descending)
    ]
