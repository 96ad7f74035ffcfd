"""Replaying a recording as a ``Feed`` (parsed by the recorded venue's parser, ``feed_parser``),
with its original timing scaled by a speed.

Message ``i`` is due at ``start + (received_at_i - received_at_0) / speed`` on the monotonic clock
(``Pacer``), so oversleeping once never shifts the messages after it; ``speed=None`` plays as fast
as the consumer takes. Messages are put in receive order within ``reorder_window_ms``; one
arriving later than that is played at once, where it is. With ``loop`` the file starts over
after its last message (a mean gap later), its timeline continuing where the last pass ended;
the messages themselves keep their recorded times.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from bisect import bisect_right
from collections.abc import AsyncIterator, Iterable, Iterator, Sequence
from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path

from paperex.marketdata.feed import FeedState, FeedStatus, RawMessage
from paperex.marketdata.pacing import Monotonic, Pacer, Sleep
from paperex.marketdata.recording import RecordingReader

_received_at = attrgetter("received_at")


def in_receive_order(
    batches: Iterable[list[RawMessage]], window_ms: int
) -> Iterator[list[RawMessage]]:
    """``batches`` re-cut into receive-time order, exact for disorder within ``window_ms``.

    A message older than one already returned (by more than the window) comes out at once.
    """
    pending: list[RawMessage] = []
    for batch in batches:
        if not batch:
            continue
        keys = [message.received_at for message in batch]
        in_order = keys == sorted(keys) and (not pending or pending[-1].received_at <= keys[0])
        pending = pending + batch if pending else batch
        if not in_order:
            pending.sort(key=_received_at)
        split = bisect_right(pending, pending[-1].received_at - window_ms, key=_received_at)
        if split:
            yield pending[:split]
            pending = pending[split:]
    if pending:
        yield pending


class ReplayFeed:
    """A recording played as a ``Feed``: ``venue`` is the recorded venue.

    ``close`` ends the playing promptly. A recording's streams are fixed, so ``subscribe`` and
    ``unsubscribe`` do nothing.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        speed: float | None = 1.0,
        loop: bool = False,
        reorder_window_ms: int = 1_000,
        monotonic: Monotonic = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        chunk_bytes: int = 64 * 1024,
    ) -> None:
        """Read the header. Raises OSError, RecordingError (see ``RecordingReader``) or
        ValueError for a speed that is not positive."""
        self.path = Path(path)
        self.header = RecordingReader(self.path, chunk_bytes=chunk_bytes).header
        self.venue = self.header.venue
        self.symbols = list(self.header.symbols)
        self.streams = list(self.header.streams)
        self.symbol_map = dict(self.header.symbol_map)
        """Venue symbol -> Paperex symbol, as the recorded feed had it."""
        self.loop = loop
        self.reorder_window_ms = reorder_window_ms
        self.chunk_bytes = chunk_bytes
        self.status = FeedStatus()
        self.messages_played = 0
        self.loops_completed = 0
        self.truncated = False
        """Whether the last pass found the file's tail torn (a killed recorder)."""
        self._pacer = Pacer(speed, monotonic=monotonic, sleep=sleep)
        self._offset_ms = 0
        self._closed = False

    @property
    def speed(self) -> float | None:
        """Times the original pace; None plays as fast as possible."""
        return self._pacer.speed

    def scheduled_at(self, message: RawMessage) -> float:
        """The monotonic time ``message`` of the current pass is (or was) due at."""
        return self._pacer.due(message.received_at + self._offset_ms)

    async def batches(self) -> AsyncIterator[list[RawMessage]]:
        """The messages in receive order, each batch as soon as all of it is due."""
        pacer = self._pacer
        first_received: int | None = None
        self.status.state = FeedState.CONNECTED
        self.status.connected_since = int(time.time() * 1000)
        try:
            while not self._closed:
                reader = RecordingReader(self.path, chunk_bytes=self.chunk_bytes)
                last_received: int | None = None
                for chunk in in_receive_order(reader.batches(), self.reorder_window_ms):
                    if first_received is None:
                        first_received = chunk[0].received_at
                        pacer.start(first_received)
                    async for due in self._due_parts(chunk):
                        self.messages_played += len(due)
                        self.status.last_message_at = due[-1].received_at
                        yield due
                    if self._closed:
                        return
                    last_received = chunk[-1].received_at
                self.truncated = reader.truncated
                if not self.loop or first_received is None or last_received is None:
                    return
                self.loops_completed += 1
                span = last_received - first_received
                self._offset_ms += span + max(1, span // max(1, reader.messages_read - 1))
        finally:
            self.status.state = FeedState.STOPPED

    async def _due_parts(self, chunk: list[RawMessage]) -> AsyncIterator[list[RawMessage]]:
        pacer = self._pacer
        if pacer.speed is None:
            yield chunk
            await pacer.sleep(0)  # never starve the event loop at full speed
            return
        monotonic = pacer.monotonic
        offset = self._offset_ms
        start = 0
        for index, message in enumerate(chunk):
            if pacer.due(message.received_at + offset) > monotonic():
                if index > start:
                    yield chunk[start:index]
                    start = index
                await pacer.wait_until_due(message.received_at + offset, self._is_closed)
                if self._closed:
                    return
        yield chunk[start:]

    async def raw_messages(self) -> AsyncIterator[RawMessage]:
        """The messages one by one, each when it is due."""
        async for batch in self.batches():
            for message in batch:
                yield message

    async def subscribe(self, streams: Sequence[str]) -> None:
        """Does nothing: a recording's streams are fixed."""

    async def unsubscribe(self, streams: Sequence[str]) -> None:
        """Does nothing: a recording's streams are fixed."""

    async def close(self) -> None:
        """Stop playing: the iterators end within ``STOP_CHECK_SECONDS``."""
        self._closed = True
        self.status.state = FeedState.STOPPED

    def _is_closed(self) -> bool:
        return self._closed


@dataclass(frozen=True, slots=True)
class PacingReport:
    """How late messages were handed out against their schedule, in milliseconds."""

    messages: int
    p50_ms: float
    p99_ms: float
    max_ms: float
    mean_ms: float

    @classmethod
    def from_lateness(cls, lateness_seconds: Sequence[float]) -> PacingReport:
        """Percentiles of the absolute lateness; raises ValueError for fewer than 2 samples."""
        if len(lateness_seconds) < 2:
            raise ValueError("pacing needs at least 2 messages")
        errors_ms = sorted(abs(value) * 1000.0 for value in lateness_seconds)
        cuts = statistics.quantiles(errors_ms, n=100, method="inclusive")
        return cls(
            messages=len(errors_ms),
            p50_ms=cuts[49],
            p99_ms=cuts[98],
            max_ms=errors_ms[-1],
            mean_ms=statistics.fmean(errors_ms),
        )


async def measure_pacing(
    path: str | Path,
    *,
    speed: float = 1.0,
    max_messages: int | None = None,
    monotonic: Monotonic = time.monotonic,
    sleep: Sleep = asyncio.sleep,
) -> PacingReport:
    """Replay ``path`` (the first ``max_messages``) at ``speed`` and report each message's
    lateness: the time it reached the consumer minus its scheduled time.

    Raises OSError or RecordingError for an unreadable file, ValueError with under 2 messages.
    """
    feed = ReplayFeed(path, speed=speed, monotonic=monotonic, sleep=sleep)
    lateness: list[float] = []
    async for batch in feed.batches():
        now = monotonic()
        lateness.extend(now - feed.scheduled_at(message) for message in batch)
        if max_messages is not None and len(lateness) >= max_messages:
            await feed.close()
            del lateness[max_messages:]
    return PacingReport.from_lateness(lateness)
