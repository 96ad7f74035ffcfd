from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from paperex.apps.web.health import health_report


class HealthApi(APIView):
    """Liveness of the database, the channel layer and the market-data feed."""

    permission_classes = [AllowAny]
    authentication_classes: list[type] = []

    @extend_schema(
        responses={
            200: inline_serializer(
                "Health",
                {"status": serializers.CharField(), "components": serializers.DictField()},
            ),
            503: inline_serializer(
                "HealthUnavailable",
                {"status": serializers.CharField(), "components": serializers.DictField()},
            ),
        }
    )
    def get(self, request: Request) -> Response:
        healthy, report = health_report()
        return Response(
            report, status=status.HTTP_200_OK if healthy else status.HTTP_503_SERVICE_UNAVAILABLE
        )
