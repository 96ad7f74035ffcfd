"""Admin API to list recordings and start, watch and stop replays."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import IsAdminUser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from paperex.apps.marketdata.feeds import FeedUnavailableError
from paperex.apps.marketdata.models import ReplaySession
from paperex.apps.marketdata.replay_services import replay_session_start, replay_session_stop
from paperex.apps.marketdata.replays import recording_list


class ReplaySessionSerializer(serializers.ModelSerializer[ReplaySession]):
    class Meta:
        model = ReplaySession
        fields = [
            "id",
            "file_name",
            "speed",
            "loop",
            "status",
            "stop_requested",
            "messages",
            "events",
            "error",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields


class ReplayStartSerializer(serializers.Serializer[None]):
    file = serializers.CharField(help_text="A file name in $PAPEREX_DATA_DIR/recordings.")
    speed = serializers.CharField(default="1", help_text="1 (original pace), 10, 0.5, ... or max")
    loop = serializers.BooleanField(default=False)


class RecordingListApi(APIView):
    """Recordings the admin can replay: files in ``$PAPEREX_DATA_DIR/recordings``."""

    permission_classes = [IsAdminUser]

    @extend_schema(
        responses=inline_serializer(
            "Recording",
            {
                "file": serializers.CharField(),
                "bytes": serializers.IntegerField(),
                "venue": serializers.CharField(allow_null=True),
                "symbols": serializers.ListField(child=serializers.CharField()),
                "streams": serializers.ListField(child=serializers.CharField()),
                "started_at": serializers.IntegerField(allow_null=True),
            },
            many=True,
        )
    )
    def get(self, request: Request) -> Response:
        recordings: list[dict[str, Any]] = [
            {
                "file": name,
                "bytes": size,
                "venue": header.venue if header else None,
                "symbols": list(header.symbols) if header else [],
                "streams": list(header.streams) if header else [],
                "started_at": header.started_at if header else None,
            }
            for name, size, header in recording_list()
        ]
        return Response(recordings)


class ReplayListApi(APIView):
    """Replays, newest first; POST starts one."""

    permission_classes = [IsAdminUser]

    @extend_schema(responses=ReplaySessionSerializer(many=True))
    def get(self, request: Request) -> Response:
        sessions = ReplaySession.objects.all()[:100]
        return Response(ReplaySessionSerializer(sessions, many=True).data)

    @extend_schema(request=ReplayStartSerializer, responses={202: ReplaySessionSerializer})
    def post(self, request: Request) -> Response:
        body = ReplayStartSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            session = replay_session_start(
                file_name=body.validated_data["file"],
                speed=body.validated_data["speed"],
                loop=body.validated_data["loop"],
                user_id=request.user.pk,
            )
        except (FeedUnavailableError, ValueError) as error:
            raise serializers.ValidationError({"file": [str(error)]}) from error
        return Response(ReplaySessionSerializer(session).data, status=status.HTTP_202_ACCEPTED)


class ReplayDetailApi(APIView):
    """One replay's status and progress."""

    permission_classes = [IsAdminUser]

    @extend_schema(responses=ReplaySessionSerializer)
    def get(self, request: Request, session_id: int) -> Response:
        session = get_object_or_404(ReplaySession, pk=session_id)
        return Response(ReplaySessionSerializer(session).data)


class ReplayStopApi(APIView):
    """Ask a replay to stop; it stops within about a second."""

    permission_classes = [IsAdminUser]

    @extend_schema(request=None, responses=ReplaySessionSerializer)
    def post(self, request: Request, session_id: int) -> Response:
        session = replay_session_stop(session=get_object_or_404(ReplaySession, pk=session_id))
        return Response(ReplaySessionSerializer(session).data)
