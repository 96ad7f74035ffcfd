"""Playing recordings into the market-data bus: from the CLI, the admin API or a Celery task.

Imports neither the replay services nor the task that runs replays on a worker: both call in.

A replay runs through its own ``FeedPipeline``, so its trades become candles and tickers exactly
like live data, and closed candles are stored.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

from asgiref.sync import sync_to_async
from django.conf import settings
from django.utils import timezone

from paperex.apps.marketdata.feeds import FeedUnavailableError, ReplaySpec, replay_feed
from paperex.apps.marketdata.models import ReplaySession
from paperex.apps.markets.services import candles_store
from paperex.marketdata.bus import MarketDataBus
from paperex.marketdata.pacing import parse_speed
from paperex.marketdata.pipeline import FeedPipeline
from paperex.marketdata.recording import RecordingHeader
from paperex.marketdata.replay import ReplayFeed

ProgressCallback = Callable[[ReplayFeed, FeedPipeline], Awaitable[bool]]
"""Called every interval; returning False stops the replay."""


def recordings_dir() -> Path:
    """Where the admin API looks for recordings: ``$PAPEREX_DATA_DIR/recordings``."""
    path = Path(settings.PAPEREX_DATA_DIR) / "recordings"
    path.mkdir(exist_ok=True)
    return path


def recording_path(file_name: str) -> Path:
    """The recording's path; raises FeedUnavailableError for a name outside the folder."""
    if not file_name or "/" in file_name or "\\" in file_name or file_name.startswith("."):
        raise FeedUnavailableError(f"{file_name!r} is not a file name in the recordings folder")
    path = recordings_dir() / file_name
    if not path.is_file():
        raise FeedUnavailableError(f"no recording named {file_name!r}")
    return path


def recording_list() -> list[tuple[str, int, RecordingHeader | None]]:
    """Every recording: file name, size in bytes, and its header (None when unreadable)."""
    found = []
    for path in sorted(recordings_dir().glob("*.jsonl.gz")):
        try:
            header: RecordingHeader | None = ReplayFeed(path).header
        except (OSError, ValueError):
            header = None
        found.append((path.name, path.stat().st_size, header))
    return found


async def play(
    feed: ReplayFeed,
    *,
    bus: MarketDataBus,
    on_progress: ProgressCallback,
    interval: float = 1.0,
) -> FeedPipeline:
    """Play ``feed`` into ``bus`` until it ends or ``on_progress`` says stop; returns the
    finished pipeline (its counters say what was played)."""
    pipeline = FeedPipeline(bus, [feed], store_closed_candles=candles_store)
    await pipeline.start()
    ended = asyncio.create_task(pipeline.wait_until_feeds_end())
    try:
        while True:
            done, _ = await asyncio.wait({ended}, timeout=interval)
            keep_going = await on_progress(feed, pipeline)
            if done:
                ended.result()  # a feed that failed raises here
                return pipeline
            if not keep_going:
                await feed.close()
    finally:
        ended.cancel()
        await pipeline.stop()


def _mark(session_id: int, **fields: object) -> bool:
    """Update the session row; returns whether a stop was requested."""
    ReplaySession.objects.filter(pk=session_id).update(**fields)
    return bool(
        ReplaySession.objects.filter(pk=session_id).values_list("stop_requested", flat=True)[0]
    )


async def replay_session_run(session_id: int, *, bus: MarketDataBus) -> None:
    """Run a session to its end, keeping its row up to date; failures end up in the row."""
    mark = sync_to_async(_mark)
    session = await ReplaySession.objects.aget(pk=session_id)
    try:
        spec = ReplaySpec(
            recording_path(session.file_name), parse_speed(session.speed), session.loop
        )
        feed = replay_feed(spec)
    except (FeedUnavailableError, ValueError) as error:
        await mark(session_id, status=ReplaySession.Status.FAILED, error=str(error))
        return
    if await mark(session_id, status=ReplaySession.Status.RUNNING, started_at=timezone.now()):
        await mark(session_id, status=ReplaySession.Status.STOPPED, finished_at=timezone.now())
        return
    stopped = False

    async def progress(feed: ReplayFeed, pipeline: FeedPipeline) -> bool:
        nonlocal stopped
        stopped = await mark(
            session_id, messages=feed.messages_played, events=pipeline.events_published
        )
        return not stopped

    try:
        pipeline = await play(feed, bus=bus, on_progress=progress)
    except Exception as error:  # reported in the row for the admin to see
        await mark(
            session_id,
            status=ReplaySession.Status.FAILED,
            error=f"{type(error).__name__}: {error}",
            finished_at=timezone.now(),
        )
        raise
    await mark(
        session_id,
        status=ReplaySession.Status.STOPPED if stopped else ReplaySession.Status.FINISHED,
        messages=feed.messages_played,
        events=pipeline.events_published,
        finished_at=timezone.now(),
    )
