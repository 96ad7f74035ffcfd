"""Background jobs of the markets app (Celery workers in production)."""

from __future__ import annotations

import asyncio

from celery import shared_task
from django.conf import settings

from paperex.apps.markets.replays import replay_session_run
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
