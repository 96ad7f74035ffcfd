"""Replays an admin starts, watches and stops (``/api/admin/replays/``)."""

from __future__ import annotations

from django.db import transaction

from paperex.apps.marketdata.feeds import ReplaySpec, replay_feed
from paperex.apps.marketdata.models import ReplaySession
from paperex.apps.marketdata.replays import recording_path
from paperex.apps.marketdata.tasks import replay_session_dispatch
from paperex.marketdata.pacing import parse_speed


@transaction.atomic
def replay_session_create(
    *, file_name: str, speed: str, loop: bool, user_id: int | None
) -> ReplaySession:
    """A pending session for a readable recording; raises FeedUnavailableError or ValueError."""
    parse_speed(speed)
    replay_feed(ReplaySpec(recording_path(file_name), None, loop))  # reads the header
    return ReplaySession.objects.create(
        file_name=file_name, speed=speed, loop=loop, created_by_id=user_id
    )


def replay_session_stop(*, session: ReplaySession) -> ReplaySession:
    """Ask a pending or running session to stop; its runner stops within a second."""
    if session.status in {ReplaySession.Status.PENDING, ReplaySession.Status.RUNNING}:
        session.stop_requested = True
        session.save(update_fields=["stop_requested"])
    return session


def replay_session_start(
    *, file_name: str, speed: str, loop: bool, user_id: int | None
) -> ReplaySession:
    """Create a session and start it after commit: in this server's event loop when
    embedded, on a Celery worker when Redis is configured. Raises like the create."""
    session = replay_session_create(file_name=file_name, speed=speed, loop=loop, user_id=user_id)
    transaction.on_commit(lambda: replay_session_dispatch(session.pk))
    return session
