"""REST API of live paper bots: /api/bots/ (yours, and starting one), /api/bots/<id>/ (one with
its holdings and orders), /api/bots/<id>/reconciliation/ (beside its backtest) and
/api/bots/<id>/{pause,resume,stop}/."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.generics import ListAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from paperex.apps.core.api import ERROR_SCHEMA, user_id_of
from paperex.apps.core.errors import ErrorCode, PaperexError
from paperex.apps.research.bot_serializers import (
    BotCreateSerializer,
    BotDetailSerializer,
    BotReconciliationSerializer,
    BotSerializer,
)
from paperex.apps.research.bots import bot_create, bot_pause, bot_resume, bot_stop
from paperex.apps.research.models import Bot
from paperex.apps.research.selectors import bot_list, bot_reconciliation, bot_report
from paperex.backtest.bars import BarsError

NOT_ALLOWED_NOW = OpenApiResponse(
    ERROR_SCHEMA, description="The bot's state does not allow it (a stopped bot stays stopped)."
)


class BotListApi(ListAPIView[Bot]):
    """Your bots, newest first (GET); start one (POST)."""

    permission_classes = [IsAuthenticated]
    serializer_class = BotSerializer

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return bot_list(user_id=user_id_of(self.request))

    @extend_schema(
        operation_id="bots_create",
        request=BotCreateSerializer,
        responses={
            201: BotSerializer,
            400: OpenApiResponse(
                ERROR_SCHEMA,
                description="An unknown or halted market (`UNKNOWN_SYMBOL`), an interval bots "
                "do not use, an unknown strategy, bad parameters, an allocation below the "
                "market's minimum order (`invalid`, naming the field).",
            ),
        },
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Start a bot: from the next closed candle of its interval it trades the market."""
        body = BotCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        bot = bot_create(user_id=user_id_of(request), **body.validated_data)
        return Response(BotSerializer(bot).data, status=status.HTTP_201_CREATED)


class BotDetailApi(APIView):
    """One of your bots with what it holds, its value and P&L at the last price, and its
    orders."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=BotDetailSerializer)
    def get(self, request: Request, bot_id: int) -> Response:
        try:
            report = bot_report(user_id=user_id_of(request), bot_id=bot_id)
        except Bot.DoesNotExist as missing:
            raise NotFound(f"No bot {bot_id}.") from missing
        return Response(BotDetailSerializer(report.bot, context={"report": report}).data)


class BotReconciliationApi(APIView):
    """One of your bots' trades beside what its backtest on the same candles did: the trades
    both made with their price and P&L differences, and those only one made."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={
            200: BotReconciliationSerializer,
            400: OpenApiResponse(
                ERROR_SCHEMA,
                description="The candles the bot saw are no longer stored (`no_market_data`).",
            ),
        }
    )
    def get(self, request: Request, bot_id: int) -> Response:
        try:
            compared = bot_reconciliation(user_id=user_id_of(request), bot_id=bot_id)
        except Bot.DoesNotExist as missing:
            raise NotFound(f"No bot {bot_id}.") from missing
        except BarsError as error:
            raise PaperexError(ErrorCode.NO_MARKET_DATA, str(error)) from None
        return Response(BotReconciliationSerializer(compared).data)


def _bot_change_api(change: Callable[..., Bot], summary: str) -> type[APIView]:
    class BotChangeApi(APIView):
        permission_classes = [IsAuthenticated]

        @extend_schema(request=None, responses={200: BotSerializer, 409: NOT_ALLOWED_NOW})
        def post(self, request: Request, bot_id: int) -> Response:
            try:
                bot = change(user_id=user_id_of(request), bot_id=bot_id)
            except Bot.DoesNotExist as missing:
                raise NotFound(f"No bot {bot_id}.") from missing
            return Response(BotSerializer(bot).data)

    BotChangeApi.__doc__ = summary
    BotChangeApi.__name__ = BotChangeApi.__qualname__ = f"Bot{change.__name__[4:].title()}Api"
    return BotChangeApi


BotPauseApi = _bot_change_api(bot_pause, "Pause a running bot (it keeps what it holds).")
BotResumeApi = _bot_change_api(bot_resume, "Resume a paused or failed bot.")
BotStopApi = _bot_change_api(bot_stop, "Stop a bot for good (what it holds stays yours).")
