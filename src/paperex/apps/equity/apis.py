"""HTTP layer of the equity history: GET /api/portfolio/equity/."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from paperex.apps.core.api import user_id_of
from paperex.apps.equity.selectors import equity_snapshot_list
from paperex.apps.equity.serializers import EquityHistoryQuerySerializer, EquitySnapshotSerializer

DEFAULT_HISTORY = timedelta(hours=24)


class EquityHistoryApi(APIView):
    """Your equity over time, oldest first: the snapshots the server takes every minute and
    whenever you reset your account, taken at or after `since`.

    Equity is cash (USDT and USD, at par) plus every other holding at its market's last price,
    free and locked. At most the newest 10,080 snapshots (a week of minutes).
    """

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[EquityHistoryQuerySerializer],
        responses=EquitySnapshotSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        query = EquityHistoryQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        since = query.validated_data.get("since", timezone.now() - DEFAULT_HISTORY)
        snapshots = equity_snapshot_list(user_id=user_id_of(request), since=since)
        return Response(EquitySnapshotSerializer(snapshots, many=True).data)
