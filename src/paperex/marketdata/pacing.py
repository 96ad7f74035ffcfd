"""Pacing timestamped messages against a monotonic clock without cumulative drift.

Message ``i`` is due at ``start + (timestamp_i - origin) / speed`` on the monotonic clock; waiting
for it sleeps the remaining time only, so a late wake-up never delays the messages after it.
The clock and the sleep are injectable so that tests can drive time.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

Monotonic = Callable[[], float]
"""Seconds on a clock that never goes back (``time.monotonic``)."""

Sleep = Callable[[float], Awaitable[None]]
"""Waits the given seconds (``asyncio.sleep``)."""

STOP_CHECK_SECONDS = 0.25
"""The longest a stoppable wait sleeps before checking whether to stop."""


def parse_speed(text: str) -> float | None:
    """``"max"`` to None (no waiting), a positive number (``"10"``, ``"0.5"``, ``"10x"``) to float.

    Raises ValueError for anything else.
    """
    cleaned = text.strip().lower()
    if cleaned == "max":
        return None
    cleaned = cleaned.removesuffix("x")
    try:
        speed = float(cleaned)
    except ValueError:
        raise ValueError(f"speed must be a positive number or 'max', not {text!r}") from None
    if not speed > 0 or speed == float("inf"):
        raise ValueError(f"speed must be a positive number or 'max', not {text!r}")
    return speed


class Pacer:
    """Says when a timestamp is due and waits for it; ``speed=None`` never waits."""

    def __init__(
        self,
        speed: float | None = 1.0,
        *,
        monotonic: Monotonic = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        """Raises ValueError when ``speed`` is not positive."""
        if speed is not None and not speed > 0:
            raise ValueError("speed must be positive, or None for as fast as possible")
        self.speed = speed
        self.monotonic = monotonic
        self.sleep = sleep
        self._start = 0.0
        self._origin_ms = 0
        self._seconds_per_ms = 0.0 if speed is None else 0.001 / speed

    def start(self, origin_ms: int, *, at: float | None = None) -> None:
        """Anchor: ``origin_ms`` is due at monotonic time ``at`` (default: now)."""
        self._origin_ms = origin_ms
        self._start = self.monotonic() if at is None else at

    @property
    def started_at(self) -> float:
        """The monotonic time the origin is due at."""
        return self._start

    def due(self, timestamp_ms: int) -> float:
        """The monotonic time ``timestamp_ms`` is due at (the start itself at speed max)."""
        return self._start + (timestamp_ms - self._origin_ms) * self._seconds_per_ms

    async def wait_until_due(
        self, timestamp_ms: int, stop: Callable[[], bool] | None = None
    ) -> None:
        """Sleep until ``timestamp_ms`` is due; returns at once when it already is, or at max.

        With ``stop``, sleeps in slices of at most ``STOP_CHECK_SECONDS`` and returns early
        once ``stop()`` is true.
        """
        if self.speed is None:
            return
        due = self.due(timestamp_ms)
        while (delay := due - self.monotonic()) > 0:
            if stop is None:
                await self.sleep(delay)
                return
            await self.sleep(min(delay, STOP_CHECK_SECONDS))
            if stop():
                return
