from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.db import connections

from paperex.apps.core.periodic import PeriodicJob
from paperex.apps.marketdata.runtime import MarketDataRuntime
from paperex.apps.markets.services import markets_seed

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def local_synthetic_feed(settings: Any) -> None:
    settings.PAPEREX_FEEDS = ["synthetic"]
    settings.PAPEREX_REDIS_URL = None  # the runtime's bus stays in this process


async def test_periodic_jobs_run_only_in_the_process_that_runs_the_feeds(
    local_synthetic_feed: None,
) -> None:
    await sync_to_async(markets_seed)()
    ran = threading.Event()

    without_feeds = MarketDataRuntime()
    idle = PeriodicJob("idle", ran.set, seconds=0.01)
    without_feeds.add_periodic_job(idle)
    await without_feeds.start(run_feeds=False)
    assert not idle.running
    await without_feeds.stop()

    with_feeds = MarketDataRuntime()
    busy = PeriodicJob("busy", ran.set, seconds=0.01)
    with_feeds.add_periodic_job(busy)
    await with_feeds.start(run_feeds=True)
    try:
        assert busy.running
        assert await asyncio.to_thread(ran.wait, 10)
    finally:
        await with_feeds.stop()
        await sync_to_async(connections.close_all)()  # the seed's and the feeds' thread
    assert not busy.running
