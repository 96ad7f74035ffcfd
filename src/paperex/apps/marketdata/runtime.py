"""Market data inside a server process: the bus, the live state and (optionally) the feeds.

Every server process keeps a ``LiveMarketView`` from its bus subscription, which the REST and
WebSocket endpoints read. The feeds themselves run once: inside the server in embedded mode, or
in the ``paperex feed`` process in production (with Redis carrying the events to the servers).
Periodic jobs that need live prices (``add_periodic_job``) run with the feeds, hence once too.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings

from paperex.apps.core.periodic import PeriodicJob
from paperex.apps.marketdata.feeds import build_feeds
from paperex.apps.marketdata.venue_sync import BinanceMarketSync, venue_sync_start
from paperex.apps.markets.services import candles_store
from paperex.marketdata.bus import LocalBus, MarketDataBus, RedisBus
from paperex.marketdata.events import Event
from paperex.marketdata.live_view import LiveMarketView
from paperex.marketdata.pipeline import FeedPipeline
from paperex.support.async_tasks import cancel_and_wait

logger = logging.getLogger(__name__)


class MarketDataRuntime:
    """The bus, the state kept from it, and the feed pipeline when this process runs feeds."""

    def __init__(self) -> None:
        self.bus: MarketDataBus = (
            RedisBus(settings.PAPEREX_REDIS_URL) if settings.PAPEREX_REDIS_URL else LocalBus()
        )
        self.state = LiveMarketView()
        self.pipeline: FeedPipeline | None = None
        self.venue_sync: BinanceMarketSync | None = None
        self._state_task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._listeners: list[Callable[[Event], None]] = []
        self._background: set[concurrent.futures.Future[None]] = set()
        self._periodic_jobs: list[PeriodicJob] = []

    @property
    def running(self) -> bool:
        return self._state_task is not None

    @property
    def market_data_expected(self) -> bool:
        """Whether market data should be arriving: this process runs the feeds, or follows
        them over Redis from the feed process."""
        return self.running and (self.pipeline is not None or isinstance(self.bus, RedisBus))

    async def start(self, *, run_feeds: bool) -> None:
        """Connect the bus, follow it into the state, and start the feeds if asked to."""
        self._loop = asyncio.get_running_loop()
        await self.bus.start()
        subscription = self.bus.subscribe(maxsize=100_000)
        self._state_task = asyncio.create_task(self._follow(subscription), name="market-state")
        if run_feeds:
            await self.start_feeds()

    async def start_feeds(self, *, fence: Callable[[], bool] | None = None) -> None:
        """Run the feeds and the periodic jobs here; ``fence``: whether this process may still
        publish (a singleton role's lead, ``RoleLease.valid``)."""
        self.venue_sync = await venue_sync_start(settings.PAPEREX_FEEDS)
        histories = {"binance": self.venue_sync.history} if self.venue_sync else {}
        feeds = await sync_to_async(build_feeds)(settings.PAPEREX_FEEDS, histories=histories)
        self.pipeline = FeedPipeline(
            self.bus, feeds, store_closed_candles=candles_store, fence=fence
        )
        await self.pipeline.start()
        logger.info("market data: %s", ", ".join(f.venue for f in feeds))
        for job in self._periodic_jobs:
            job.start()

    async def stop_feeds(self) -> None:
        """Stop the periodic jobs and the feeds."""
        for job in self._periodic_jobs:
            await job.stop()
        if self.venue_sync is not None:
            await self.venue_sync.stop()
            self.venue_sync = None
        if self.pipeline is not None:
            await self.pipeline.stop()
            self.pipeline = None

    async def stop(self) -> None:
        """Stop the feeds, then the state and the bus."""
        await self.stop_feeds()
        await cancel_and_wait(self._state_task)
        self._state_task = None
        await self.bus.stop()

    def submit(self, make_job: Callable[[MarketDataBus], Coroutine[Any, Any, None]]) -> bool:
        """Run a job on this process's event loop with its bus, from any thread.

        Returns False when the runtime is not running here (no server in this process).
        """
        if self._loop is None or not self.running:
            return False
        future = asyncio.run_coroutine_threadsafe(make_job(self.bus), self._loop)
        self._background.add(future)
        future.add_done_callback(self._job_done)
        return True

    def _job_done(self, future: concurrent.futures.Future[None]) -> None:
        self._background.discard(future)
        if not future.cancelled() and future.exception() is not None:
            logger.error("background job failed", exc_info=future.exception())

    def feed_status(self) -> dict[str, Any]:
        """What /api/health/ reports about market data."""
        status: dict[str, Any] = {
            "configured": list(settings.PAPEREX_FEEDS),
            "running": self.pipeline is not None,
            "markets_with_data": len(self.state.symbols),
        }
        if self.pipeline is not None:
            status["feeds"] = [
                {
                    "venue": feed.venue,
                    "state": feed.status.state.value,
                    "last_error": feed.status.last_error,
                }
                for feed in self.pipeline.feeds
            ]
            status["parse_errors"] = self.pipeline.parse_errors
        if self.venue_sync is not None:
            status["venue_sync"] = self.venue_sync.report.as_dict()
        return status

    def add_periodic_job(self, job: PeriodicJob) -> None:
        """Run ``job`` while this process runs the feeds: in one process per deployment."""
        self._periodic_jobs.append(job)

    @property
    def periodic_jobs(self) -> tuple[PeriodicJob, ...]:
        return tuple(self._periodic_jobs)

    def add_listener(self, listener: Callable[[Event], None]) -> None:
        """Call ``listener`` with every bus event after the state has taken it."""
        self._listeners.append(listener)

    async def _follow(self, subscription: Any) -> None:
        listeners = self._listeners
        async for event in subscription:
            self.state.apply(event)
            for listener in listeners:
                try:
                    listener(event)
                except Exception:  # one broken listener must not stop the market data
                    logger.exception("market-data listener failed")


runtime = MarketDataRuntime()
"""This process's market data."""
