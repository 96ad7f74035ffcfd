"""REST API of price alerts: /api/alerts/ (list, create), /api/alerts/<id>/ (read, delete) and
/api/alerts/history/ (the alerts that fired)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.generics import ListAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from paperex.apps.alerts.models import AlertTrigger, PriceAlert
from paperex.apps.alerts.selectors import alert_get, alert_list, alert_trigger_list
from paperex.apps.alerts.serializers import (
    AlertCreateSerializer,
    AlertFilterSerializer,
    AlertSerializer,
    AlertTriggerSerializer,
)
from paperex.apps.alerts.services import alert_create, alert_delete
from paperex.apps.core.api import user_id_of
from paperex.apps.markets.apis import UNKNOWN_MARKET, market_or_404


class AlertListApi(ListAPIView[PriceAlert]):
    """Your price alerts, newest first (filter by `status`), and creating one (POST)."""

    permission_classes = [IsAuthenticated]
    serializer_class = AlertSerializer

    def get_queryset(self):  # type: ignore[no-untyped-def]
        filters = AlertFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return alert_list(user_id=user_id_of(self.request), **filters.validated_data)

    @extend_schema(parameters=[AlertFilterSerializer])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=AlertCreateSerializer, responses={201: AlertSerializer, 404: UNKNOWN_MARKET}
    )
    def post(self, request: Request) -> Response:
        data = AlertCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        market = market_or_404(fields.pop("symbol"))
        alert = alert_create(user_id=user_id_of(request), market=market, **fields)
        return Response(AlertSerializer(alert).data, status=status.HTTP_201_CREATED)


class AlertDetailApi(APIView):
    """One of your alerts (GET) or deleting it (DELETE; its history stays)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=AlertSerializer)
    def get(self, request: Request, alert_id: int) -> Response:
        try:
            alert = alert_get(user_id=user_id_of(request), alert_id=alert_id)
        except PriceAlert.DoesNotExist as missing:
            raise NotFound(f"No alert {alert_id}.") from missing
        return Response(AlertSerializer(alert).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, alert_id: int) -> Response:
        if not alert_delete(user_id=user_id_of(request), alert_id=alert_id):
            raise NotFound(f"No alert {alert_id}.")
        return Response(status=status.HTTP_204_NO_CONTENT)


class AlertHistoryApi(ListAPIView[AlertTrigger]):
    """The alerts that fired, newest first."""

    permission_classes = [IsAuthenticated]
    serializer_class = AlertTriggerSerializer

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return alert_trigger_list(user_id=user_id_of(self.request))
