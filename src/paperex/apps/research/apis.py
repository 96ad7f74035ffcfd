"""REST API of backtests: /api/backtests/ (yours, and queueing one) and /api/backtests/<id>/
(one with its result, or deleting it). A backtest runs as a background job (see ``tasks``)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.generics import ListAPIView
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from paperex.apps.core.api import ERROR_SCHEMA, user_id_of
from paperex.apps.research.models import BacktestRun
from paperex.apps.research.selectors import backtest_run_get, backtest_run_list
from paperex.apps.research.serializers import (
    BacktestCsvRequestSerializer,
    BacktestMarketRequestSerializer,
    BacktestQueuedSerializer,
    BacktestRunDetailSerializer,
    BacktestRunSerializer,
)
from paperex.apps.research.services import backtest_run_delete, backtest_run_start

MULTIPART = "multipart/form-data"


class BacktestListApi(ListAPIView[BacktestRun]):
    """Your backtests, newest first, without their results (GET); queue one (POST)."""

    permission_classes = [IsAuthenticated]
    serializer_class = BacktestRunSerializer
    parser_classes = [JSONParser, MultiPartParser]

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return backtest_run_list(user_id=user_id_of(self.request))

    @extend_schema(
        operation_id="backtests_create",
        request={
            "application/json": BacktestMarketRequestSerializer,
            MULTIPART: BacktestCsvRequestSerializer,
        },
        responses={
            202: BacktestQueuedSerializer,
            400: OpenApiResponse(
                ERROR_SCHEMA,
                description="A request that cannot run, in one line: an unknown strategy "
                "(`invalid`), bad parameters, too few bars for the strategy's warm-up, bad "
                "execution settings; an unknown market (`UNKNOWN_SYMBOL`), no stored candles "
                "in the range (`no_market_data`), a CSV that does not read (`malformed_file`).",
            ),
        },
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Queue a backtest on stored candles (JSON) or on a CSV upload (multipart, the file
        alone runs the 50/200 SMA crossover): 202 with its id and where to follow it."""
        body = (
            BacktestCsvRequestSerializer(data=request.data)
            if (request.content_type or "").startswith(MULTIPART)
            else BacktestMarketRequestSerializer(data=request.data)
        )
        body.is_valid(raise_exception=True)
        run = backtest_run_start(user_id=user_id_of(request), **body.start_arguments())
        return Response(BacktestQueuedSerializer(run).data, status=status.HTTP_202_ACCEPTED)


class BacktestDetailApi(APIView):
    """One of your backtests: its state, and once done its statistics beside buy-and-hold,
    trades and chart series; the error when it failed (GET). Delete it (DELETE)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=BacktestRunDetailSerializer)
    def get(self, request: Request, run_id: int) -> Response:
        try:
            run = backtest_run_get(user_id=user_id_of(request), run_id=run_id)
        except BacktestRun.DoesNotExist as missing:
            raise NotFound(f"No backtest {run_id}.") from missing
        return Response(BacktestRunDetailSerializer(run).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, run_id: int) -> Response:
        if not backtest_run_delete(user_id=user_id_of(request), run_id=run_id):
            raise NotFound(f"No backtest {run_id}.")
        return Response(status=status.HTTP_204_NO_CONTENT)
