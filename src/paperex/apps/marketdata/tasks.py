"""Background jobs of market data: a replay on a Celery worker (production), or in this server's
event loop when embedded."""

from __future__ import annotations

import asyncio

from celery import shared_task
from django.conf import settings

from paperex.apps.marketdata.models import ReplaySession
from paperex.apps.marketdata.replays import replay_session_run
from paperex.apps.marketdata.runtime import runtime
from paperex.marketdata.bus import RedisBus


@shared_task(name="markets.replay_session")
def replay_session_task(session_id: int) -> None:
    """Play a replay session into the Redis bus that every server process follows."""

    async def run() -> None:
        bus = RedisBus(settings.PAPEREX_REDIS_URL or "")  # only sent when Redis is configured
        await bus.start()
        try:
            await replay_session_run(session_id, bus=bus)
        finally:
            await bus.stop()

    asyncio.run(run())


def replay_session_dispatch(session_id: int) -> None:
    """Start a stored session: on a worker when Redis is configured, else in this process."""
    if settings.PAPEREX_REDIS_URL:
        replay_session_task.delay(session_id)
        return
    if not runtime.submit(lambda bus: replay_session_run(session_id, bus=bus)):
        ReplaySession.objects.filter(pk=session_id).update(
            status=ReplaySession.Status.FAILED,
            error="No market-data runtime in this process: start the server with `paperex serve`.",
        )
