"""The arithmetic of rate limits: events counted per key in sliding windows, with no I/O.

A rate allows ``limit`` events per ``seconds``. Events are counted in fixed windows of that
length; the sliding estimate at a moment is the current window's count plus the previous
window's count weighted by the share of the previous window that the sliding window still
covers. That is smooth at window edges (a client cannot double its rate across one), exact
enough for abuse limits, and needs two counters per key.

Counts may come from other processes too (``set_others``): a process adds its own events,
tells a shared store (Redis) what it added, and learns the others' totals from it.
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*$")
UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
"""Seconds in each unit a period or a duration is written in."""
_OFF = {"off", "0", "none", ""}


@dataclass(frozen=True, slots=True)
class Rate:
    """At most ``limit`` events per ``seconds``."""

    limit: int
    seconds: int

    def __str__(self) -> str:
        return f"{self.limit}/{self.seconds}s"


def parse_rate(text: str) -> Rate | None:
    """``"100/10s"``, ``"6000/1m"``, ``"20/h"`` (units s, m, h, d); ``"off"`` or ``"0"`` is None
    (no limit). Raises ValueError for anything else."""
    if text.strip().lower() in _OFF:
        return None
    match = _RATE.match(text.lower())
    if match is None:
        raise ValueError(f"a rate is COUNT/PERIOD such as 100/10s, 6000/1m or off, not {text!r}")
    count, amount, unit = match.groups()
    seconds = int(amount or "1") * UNIT_SECONDS[unit]
    if int(count) < 1 or seconds < 1:
        raise ValueError(f"a rate needs a count and a period of at least 1, not {text!r}")
    return Rate(int(count), seconds)


WindowKey = tuple[str, str, int]
"""(limit name, key, window number): one counter."""


class SlidingWindowCounts:
    """Event counts per (limit name, key), thread-safe; see the module docstring."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._own: dict[WindowKey, int] = {}
        self._others: dict[WindowKey, int] = {}
        self._unshared: dict[WindowKey, int] = {}
        self._seconds: dict[WindowKey, int] = {}
        self._next_purge = 0.0

    def hit(self, name: str, key: str, rate: Rate) -> int:
        """Count one event unless it would pass ``rate``: 0 when counted, else the whole
        seconds to wait before it would be allowed (at least 1)."""
        with self._lock:
            now = self._clock()
            window = (name, key, int(now // rate.seconds))
            wait = self._wait(now, window, rate)
            if wait == 0:
                self._add(now, window, rate.seconds)
            return wait

    def wait(self, name: str, key: str, rate: Rate) -> int:
        """``hit`` without counting: 0 while one more event is allowed."""
        with self._lock:
            now = self._clock()
            return self._wait(now, (name, key, int(now // rate.seconds)), rate)

    def add(self, name: str, key: str, rate: Rate) -> None:
        """Count an event that already happened (a failed login), allowed or not."""
        with self._lock:
            now = self._clock()
            self._add(now, (name, key, int(now // rate.seconds)), rate.seconds)

    def take_unshared(self) -> dict[WindowKey, tuple[int, int]]:
        """This process's events not yet shared, with each window's length in seconds; they
        count as shared from now on."""
        with self._lock:
            unshared, self._unshared = self._unshared, {}
            return {window: (count, self._seconds[window]) for window, count in unshared.items()}

    def recent_windows(self) -> list[WindowKey]:
        """The windows this process has counts in that still count (the current or the
        previous window of their rate): those whose totals are worth learning."""
        now = self._clock()
        with self._lock:
            return [
                window
                for window, seconds in self._seconds.items()
                if window[2] >= int(now // seconds) - 1
            ]

    def set_others(self, window: WindowKey, total: int, own_shared: int) -> None:
        """A shared store's ``total`` of ``window``, of which ``own_shared`` are this
        process's: the rest are other processes' events."""
        with self._lock:
            if window in self._own:
                self._others[window] = max(0, total - own_shared)

    def own_shared(self, window: WindowKey) -> int:
        """How many of this process's events of ``window`` have been shared (taken)."""
        with self._lock:
            return self._own.get(window, 0) - self._unshared.get(window, 0)

    def _count(self, window: WindowKey) -> int:
        return self._own.get(window, 0) + self._others.get(window, 0)

    def _wait(self, now: float, window: WindowKey, rate: Rate) -> int:
        """For one more event at ``now`` in ``window`` (the current one)."""
        name, key, number = window
        elapsed = now / rate.seconds - number  # share of the current window gone by
        current = self._count(window)
        previous = self._count((name, key, number - 1))
        room = rate.limit - 1  # events that may already be counted for one more to pass
        if current + previous * (1 - elapsed) <= room:
            return 0
        if current <= room and previous:
            # Later in this window the previous one weighs less: at share f, with
            # current + previous * (1 - f) <= room.
            share = 1 - (room - current) / previous
        else:
            # Not before the next window, where this one weighs (1 - f).
            share = 1 + (1 - room / current if current else 0)
        return max(1, math.ceil((share - elapsed) * rate.seconds))

    def _add(self, now: float, window: WindowKey, seconds: int) -> None:
        own = self._own.get(window)
        if own is None:
            own = 0
            self._seconds[window] = seconds
        self._own[window] = own + 1
        self._unshared[window] = self._unshared.get(window, 0) + 1
        if now >= self._next_purge:
            self._purge(now)

    def _purge(self, now: float) -> None:
        """Forget windows too old to count (older than the previous one)."""
        self._next_purge = now + 1.0
        for window, seconds in list(self._seconds.items()):
            if window[2] < int(now // seconds) - 1:
                for counts in (self._own, self._others, self._unshared, self._seconds):
                    counts.pop(window, None)
