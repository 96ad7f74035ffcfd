"""REST API of the per-day trade analysis: /api/trade-analysis/?date= runs it (the older
tools' request and answer, kept exactly) and /api/trade-analysis/<date>/ reads it."""

from __future__ import annotations

from datetime import date
from typing import Any

from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from paperex.analysis.trades_csv import parse_day
from paperex.apps.core.api import user_id_of
from paperex.apps.core.errors import ErrorCode, ServiceUnavailableError
from paperex.apps.journal.analysis_answer import AnalysisAnswer

ANSWER_CODES = {
    400: ErrorCode.INVALID,
    404: ErrorCode.NOT_FOUND,
    422: ErrorCode.MALFORMED_FILE,
    503: ErrorCode.STORAGE_UNAVAILABLE,
}
RETRY_AFTER_SECONDS = 30

ANSWER_SCHEMA = inline_serializer(
    "TradeAnalysisAnswer",
    {
        "statusCode": serializers.IntegerField(),
        "message": serializers.CharField(),
        "code": serializers.CharField(required=False, help_text="beside an error's message"),
    },
)
ANALYSIS_ROWS = inline_serializer(
    "TradeAnalysisRow",
    {
        "ticker": serializers.CharField(help_text='a ticker, or "TOTAL" (last)'),
        "trades": serializers.IntegerField(),
        "buy_quantity": serializers.CharField(),
        "sell_quantity": serializers.CharField(),
        "volume": serializers.CharField(),
        "notional": serializers.CharField(),
        "vwap": serializers.CharField(allow_null=True),
        "high": serializers.CharField(allow_null=True),
        "low": serializers.CharField(allow_null=True),
        "first_trade": serializers.CharField(allow_null=True),
        "last_trade": serializers.CharField(allow_null=True),
        "fees": serializers.DictField(child=serializers.CharField()),
        "realized_pnl": serializers.CharField(),
    },
    many=True,
)
ANALYSIS_SCHEMA = inline_serializer(
    "TradeAnalysis",
    {
        "date": serializers.DateField(),
        "generated_at": serializers.CharField(),
        "vwap_places": serializers.IntegerField(),
        "scope": serializers.ChoiceField(
            choices=["all", "mine"], help_text="every user's trades (staff), or yours"
        ),
        "rows": ANALYSIS_ROWS,
    },
)


def _day(text: str | None) -> date | None:
    try:
        return parse_day(text or "")
    except ValueError:
        return None


def _answer(answer: AnalysisAnswer) -> Response:
    body = answer.body()
    headers = {}
    if answer.status_code != 200:
        body["code"] = ANSWER_CODES.get(answer.status_code, ErrorCode.STORAGE_UNAVAILABLE)
    if answer.status_code == 503:
        headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return Response(body, status=answer.status_code, headers=headers)


class TradeAnalysisRunApi(APIView):
    """Analyse a UTC day's exported trades.csv (every user's trades) and save analysis.csv and
    analysis.json beside it: `{"statusCode": 200, "message": "Analysis saved for <date>"}`;
    404 when that day has no trades file, 400 without a valid date."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="trade_analysis_run",
        parameters=[OpenApiParameter("date", str, description="the UTC day, YYYY-MM-DD")],
        responses={
            200: ANSWER_SCHEMA,
            400: ANSWER_SCHEMA,
            404: ANSWER_SCHEMA,
            422: OpenApiResponse(ANSWER_SCHEMA, description="The trades.csv is malformed."),
            503: ANSWER_SCHEMA,
        },
    )
    def get(self, request: Request) -> Response:
        text = request.query_params.get("date")
        day = _day(text)
        if day is None:
            message = (
                f"Invalid date {text!r}: expected YYYY-MM-DD"
                if text
                else "Missing date: use ?date=YYYY-MM-DD"
            )
            return _answer(AnalysisAnswer(400, message))
        from paperex.apps.journal.analyses import trade_analysis_run  # (polars: see tasks.py)

        return _answer(trade_analysis_run(day=day))


class TradeAnalysisDayApi(APIView):
    """A day's analysis as JSON: for staff the saved analysis of every user's trades, for
    everyone else the same figures of their own trades that day."""

    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="trade_analysis_day", responses=ANALYSIS_SCHEMA)
    def get(self, request: Request, day: str) -> Response:
        parsed = _day(day)
        if parsed is None:
            raise NotFound(f"No day {day}: a day is a date, YYYY-MM-DD.")
        from paperex.apps.journal.analyses import own_day_analysis, stored_analysis
        from paperex.apps.journal.exports import ExportError

        document: dict[str, Any] | None
        if request.user.is_staff:
            try:
                document = stored_analysis(day=parsed)
            except ExportError as error:
                raise ServiceUnavailableError(ErrorCode.STORAGE_UNAVAILABLE, str(error)) from None
            missing = f"No analysis saved for {parsed} yet: run the day's analysis first."
            scope = "all"
        else:
            document = own_day_analysis(user_id=user_id_of(request), day=parsed)
            missing = f"No trades of yours on {parsed}."
            scope = "mine"
        if document is None:
            raise NotFound(missing)
        return Response({**document, "scope": scope})
