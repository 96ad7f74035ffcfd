from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from paperex.apps.web.health import health_report

RETRY_SECONDS = 5
"""How soon a probe that found the service down is worth repeating."""


def _report(name: str) -> serializers.Serializer[object]:
    return inline_serializer(
        name,
        {
            "status": serializers.CharField(help_text="ok, or unavailable"),
            "down": serializers.ListField(child=serializers.CharField(), help_text="What is down"),
            "components": serializers.DictField(
                help_text="database, channel_layer, engine and feed: ok, and why not"
            ),
            "leaders": serializers.DictField(
                required=False,
                allow_null=True,
                help_text="On PostgreSQL: the process leading each singleton role (engine, "
                "feed, bots, beat) as 'paperex ROLE HOST:PID', null where none leads",
            ),
        },
    )


class HealthApi(APIView):
    """Readiness: the database, the channel layer, the engine (a heartbeat sent the orders'
    way) and the market data feed. 503, naming what is down, when any of them is."""

    permission_classes = [AllowAny]
    authentication_classes: list[type] = []

    @extend_schema(
        responses={
            200: _report("Health"),
            503: _report("HealthUnavailable"),
        }
    )
    def get(self, request: Request) -> Response:
        healthy, report = health_report()
        if healthy:
            return Response(report)
        return Response(
            report,
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": str(RETRY_SECONDS)},
        )


class LivenessApi(APIView):
    """Liveness: this process answers HTTP. Checks nothing else, so a supervisor restarts the
    process only when the process itself is stuck."""

    permission_classes = [AllowAny]
    authentication_classes: list[type] = []
    needs_services = False  # its answer is the process's own

    @extend_schema(responses={200: inline_serializer("Live", {"status": serializers.CharField()})})
    def get(self, request: Request) -> Response:
        return Response({"status": "ok"})
