"""Playing a recording the way the server does: ``ReplayFeed`` through its venue's parser."""

from __future__ import annotations

from pathlib import Path

from paperex.marketdata.events import Event
from paperex.marketdata.feed import feed_parser
from paperex.marketdata.replay import ReplayFeed


async def replayed_events(path: Path) -> list[Event]:
    """Every event of the recording at ``path``, played as fast as possible."""
    feed = ReplayFeed(path, speed=None)
    parse = feed_parser(feed)
    return [event async for message in feed.raw_messages() for event in parse(message)]
