"""REST API of the trade journal: /api/trades/ (list, create), /api/trades/<id>/ (read, replace,
change, delete) and /api/trades/export.csv. Listing copies the user's new fills in first."""

from __future__ import annotations

from typing import Any

from django.http import StreamingHttpResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.generics import ListAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from paperex.apps.core.api import ERROR_SCHEMA, user_id_of
from paperex.apps.journal.csv_rows import csv_lines
from paperex.apps.journal.models import JournalTrade
from paperex.apps.journal.selectors import journal_trade_get, journal_trade_list
from paperex.apps.journal.serializers import (
    JournalFilterSerializer,
    JournalTradeInputSerializer,
    JournalTradeSerializer,
)
from paperex.apps.journal.services import (
    journal_fills_sync,
    journal_trade_create,
    journal_trade_delete,
    journal_trade_update,
)

READ_ONLY = OpenApiResponse(ERROR_SCHEMA, description="An exchange trade: it is read-only.")


def _filtered_trades(request: Request) -> Any:
    filters = JournalFilterSerializer(data=request.query_params)
    filters.is_valid(raise_exception=True)
    user_id = user_id_of(request)
    journal_fills_sync(user_id=user_id)
    return journal_trade_list(user_id=user_id, **filters.validated_data)


class JournalTradeListApi(ListAPIView[JournalTrade]):
    """Your trades, newest first: filter by `ticker`, `side`, `source` and UTC days
    (`start_date`, `end_date`, inclusive), sort by any column (`ordering`); create one (POST)."""

    permission_classes = [IsAuthenticated]
    serializer_class = JournalTradeSerializer

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return _filtered_trades(self.request)

    @extend_schema(parameters=[JournalFilterSerializer])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(request=JournalTradeInputSerializer, responses={201: JournalTradeSerializer})
    def post(self, request: Request) -> Response:
        data = JournalTradeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        trade = journal_trade_create(user_id=user_id_of(request), **data.validated_data)
        return Response(JournalTradeSerializer(trade).data, status=status.HTTP_201_CREATED)


class JournalTradeDetailApi(APIView):
    """One of your trades: read it, replace it (PUT), change some fields (PATCH), delete it.
    Trades filled by the exchange are read-only (403)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=JournalTradeSerializer)
    def get(self, request: Request, trade_id: int) -> Response:
        journal_fills_sync(user_id=user_id_of(request))
        return Response(JournalTradeSerializer(self._trade(request, trade_id)).data)

    @extend_schema(
        request=JournalTradeInputSerializer,
        responses={200: JournalTradeSerializer, 403: READ_ONLY},
    )
    def put(self, request: Request, trade_id: int) -> Response:
        return self._update(request, trade_id, partial=False)

    @extend_schema(
        request=JournalTradeInputSerializer,
        responses={200: JournalTradeSerializer, 403: READ_ONLY},
    )
    def patch(self, request: Request, trade_id: int) -> Response:
        return self._update(request, trade_id, partial=True)

    @extend_schema(responses={204: None, 403: READ_ONLY})
    def delete(self, request: Request, trade_id: int) -> Response:
        journal_trade_delete(trade=self._trade(request, trade_id))
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _update(self, request: Request, trade_id: int, *, partial: bool) -> Response:
        data = JournalTradeInputSerializer(data=request.data, partial=partial)
        data.is_valid(raise_exception=True)
        trade = self._trade(request, trade_id)
        trade = journal_trade_update(trade=trade, replace=not partial, **data.validated_data)
        return Response(JournalTradeSerializer(trade).data)

    @staticmethod
    def _trade(request: Request, trade_id: int) -> JournalTrade:
        try:
            return journal_trade_get(user_id=user_id_of(request), trade_id=trade_id)
        except JournalTrade.DoesNotExist as missing:
            raise NotFound(f"No trade {trade_id} in your journal.") from missing


class JournalExportApi(APIView):
    """Your trades as CSV (the daily export's columns), with the list's filters, streamed."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[JournalFilterSerializer],
        responses={(200, "text/csv"): OpenApiResponse(str, description="trades.csv")},
    )
    def get(self, request: Request) -> StreamingHttpResponse:
        trades = _filtered_trades(request)
        response = StreamingHttpResponse(csv_lines(trades), content_type="text/csv")
        response["Content-Disposition"] = 'attachment; filename="trades.csv"'
        return response
