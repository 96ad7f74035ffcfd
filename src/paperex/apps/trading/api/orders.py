"""Orders over HTTP: list and place, one order (by id or client order id) and its cancel,
cancel all."""

from __future__ import annotations

from typing import Any

from asgiref.sync import async_to_sync
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.generics import ListAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from paperex.apps.core.api import ERROR_SCHEMA as ERROR
from paperex.apps.core.api import user_id_of
from paperex.apps.markets.apis import UNKNOWN_MARKET, market_or_404
from paperex.apps.trading.api.serializers import (
    CancelAllAcceptedSerializer,
    CancelAllSerializer,
    CancelUnavailableSerializer,
    OrderFilterSerializer,
    OrderLookupSerializer,
    OrderSerializer,
    PlacementUnavailableSerializer,
)
from paperex.apps.trading.models import Order
from paperex.apps.trading.schemas import plain
from paperex.apps.trading.selectors.orders import (
    order_get,
    order_get_by_client_order_id,
    order_list,
)
from paperex.apps.trading.services.order_request import OrderPlaceSerializer
from paperex.apps.trading.services.orders import (
    order_cancel,
    order_place_from_request,
    orders_cancel_all,
)


class OrderListApi(ListAPIView[Order]):
    """Your orders (GET, filtered, sorted, paginated) and placing a new one (POST).

    A program's POST with a Bearer token never reaches this view: the ASGI order lane
    (``order_lane.py``) places it with the same service and answers the same way.

    POST answers 201 with the stored order, or 200 with the existing order when
    `client_order_id` was already used (a safe retry); without one, the server gives the order
    one. Refusals are 400s whose `code` is the engine's reason: `PRICE_FILTER` (off tick or not
    positive), `LOT_SIZE`, `NOTIONAL`, `INSUFFICIENT_BALANCE`, `UNKNOWN_SYMBOL`,
    `WOULD_MATCH_IMMEDIATELY`, ... A 503 `engine_unavailable` means the order was not placed,
    unless it says `"status": "unknown"`: then it was sent and not answered in time, and may
    exist; look it up by its `client_order_id` (in the body) or retry with it.
    """

    permission_classes = [IsAuthenticated]
    serializer_class = OrderSerializer

    def get_queryset(self) -> Any:
        filters = OrderFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return order_list(user_id=user_id_of(self.request), **filters.validated_data)

    @extend_schema(parameters=[OrderFilterSerializer])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=OrderPlaceSerializer,
        examples=[
            OpenApiExample(
                "Buy bitcoin for 100 USDT",
                value={
                    "symbol": "BTCUSDT",
                    "side": "BUY",
                    "type": "MARKET",
                    "quote_order_qty": "100",
                },
                request_only=True,
            )
        ],
        responses={
            201: OpenApiResponse(OrderSerializer, description="placed"),
            200: OpenApiResponse(
                OrderSerializer, description="the existing order of this client_order_id"
            ),
            503: OpenApiResponse(
                PlacementUnavailableSerializer,
                description="not placed; or, with status unknown, maybe placed",
            ),
        },
    )
    def post(self, request: Request) -> Response:
        placement = async_to_sync(order_place_from_request)(
            user_id=user_id_of(request), data=request.data
        )
        return Response(
            plain(placement.order),
            status=status.HTTP_201_CREATED if placement.created else status.HTTP_200_OK,
        )


class OrderLookupApi(APIView):
    """Your order of a client order id, e.g. after an answer whose status was unknown; 404
    when there is none (the order was not placed)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[OrderLookupSerializer],
        responses={
            200: OrderSerializer,
            404: OpenApiResponse(ERROR, description="You have no order of this client order id."),
        },
    )
    def get(self, request: Request) -> Response:
        query = OrderLookupSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        try:
            order = order_get_by_client_order_id(
                user_id=user_id_of(request), client_order_id=query.validated_data["client_order_id"]
            )
        except Order.DoesNotExist as missing:
            raise NotFound("You have no order of this client order id.") from missing
        return Response(OrderSerializer(order).data)


class OrderDetailApi(APIView):
    """One of your orders (GET) or cancel it (DELETE); another user's order is a 404."""

    permission_classes = [IsAuthenticated]

    def _order(self, request: Request, order_id: int) -> Order:
        try:
            return order_get(user_id=user_id_of(request), order_id=order_id)
        except Order.DoesNotExist as missing:
            raise NotFound("No such order.") from missing

    @extend_schema(responses=OrderSerializer)
    def get(self, request: Request, order_id: int) -> Response:
        return Response(OrderSerializer(self._order(request, order_id)).data)

    @extend_schema(
        responses={
            200: OrderSerializer,
            400: OpenApiResponse(ERROR, description="ORDER_NOT_OPEN: filled, canceled or expired"),
            503: OpenApiResponse(
                CancelUnavailableSerializer,
                description="not canceled; or, with status unknown, maybe canceled",
            ),
        }
    )
    def delete(self, request: Request, order_id: int) -> Response:
        order = self._order(request, order_id)
        canceled = order_cancel(
            user_id=order.user_id, order_id=order.id, symbol=order.market.symbol
        )
        return Response(plain(canceled))


CANCEL_ALL_ACCEPTED = (
    "The engine has not finished cancelling in time; the cancel runs to the end. "
    "GET /api/orders/?status=NEW shows what is still open."
)


class OrderCancelAllApi(APIView):
    """Cancel all your open orders, in one market (`symbol`) or everywhere: 200 with the
    canceled orders, or 202 when the engine has not finished in time (it will)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=CancelAllSerializer,
        responses={
            200: OpenApiResponse(OrderSerializer(many=True), description="the canceled orders"),
            202: OpenApiResponse(
                CancelAllAcceptedSerializer, description="still cancelling; runs to the end"
            ),
            404: UNKNOWN_MARKET,
            503: OpenApiResponse(ERROR, description="not sent: nothing canceled"),
        },
    )
    def post(self, request: Request) -> Response:
        body = CancelAllSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        symbol = body.validated_data.get("symbol")
        if symbol:
            symbol = market_or_404(symbol).symbol
        canceled = orders_cancel_all(user_id=user_id_of(request), symbol=symbol)
        if canceled is None:
            return Response(
                {"status": "accepted", "message": CANCEL_ALL_ACCEPTED},
                status=status.HTTP_202_ACCEPTED,
            )
        return Response([plain(order) for order in canceled])
