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
from collections.abc import Callable, Iterable
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


def _window(name: str, key: str, rate: Rate, now: float) -> WindowKey:
    """The counter of ``key`` under the limit ``name`` in ``rate``'s fixed window at ``now``."""
    return (name, key, int(now // rate.seconds))


class _Window:
    """One window's counts: this process's events (``own``), those not yet shared, the other
    processes' (learned from the shared store) and the window's length."""

    __slots__ = ("others", "own", "seconds", "unshared")

    def __init__(self, seconds: int) -> None:
        self.own = 0
        self.unshared = 0
        self.others = 0
        self.seconds = seconds


class SlidingWindowCounts:
    """Event counts per (limit name, key), thread-safe; see the module docstring."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._windows: dict[WindowKey, _Window] = {}
        self._unshared: set[WindowKey] = set()
        self._next_purge = 0.0

    def hit(self, name: str, key: str, rate: Rate) -> int:
        """Count one event unless it would pass ``rate``: 0 when counted, else the whole
        seconds to wait before it would be allowed (at least 1)."""
        with self._lock:
            now = self._clock()
            window = _window(name, key, rate, now)
            wait = self._wait(now, window, rate)
            if wait == 0:
                self._add(now, window, rate.seconds)
            return wait

    def wait(self, name: str, key: str, rate: Rate) -> int:
        """``hit`` without counting: 0 while one more event is allowed."""
        with self._lock:
            now = self._clock()
            return self._wait(now, _window(name, key, rate, now), rate)

    def add(self, name: str, key: str, rate: Rate, amount: int = 1) -> None:
        """Count an event that already happened (a failed login), allowed or not, as
        ``amount`` events."""
        with self._lock:
            now = self._clock()
            self._add(now, _window(name, key, rate, now), rate.seconds, amount)

    def add_within(self, name: str, key: str, rate: Rate, amount: int) -> int:
        """``add`` of ``amount`` events while one more is allowed (``wait`` is 0; always with
        a limit of 0), else of none; returns the window's count after it (as
        ``current_counts``). One lock for both."""
        with self._lock:
            now = self._clock()
            window = _window(name, key, rate, now)
            if rate.limit and self._wait(now, window, rate):
                amount = 0
            self._add(now, window, rate.seconds, amount)
            return self._count(window)

    def add_each(self, key: str, limits: Iterable[tuple[str, Rate]]) -> None:
        """One event for ``key`` under each (limit name, rate) of ``limits``, under one lock."""
        with self._lock:
            now = self._clock()
            for name, rate in limits:
                self._add(now, _window(name, key, rate, now), rate.seconds)

    def current_counts(self, key: str, limits: Iterable[tuple[str, Rate]]) -> list[int]:
        """The events counted for ``key`` in the current fixed window of each (limit name,
        rate) of ``limits`` (this process's and, when shared, the others'), under one lock."""
        with self._lock:
            now = self._clock()
            return [self._count(_window(name, key, rate, now)) for name, rate in limits]

    def take_unshared(self) -> dict[WindowKey, tuple[int, int]]:
        """This process's events not yet shared, with each window's length in seconds; they
        count as shared from now on."""
        with self._lock:
            taken = {}
            for window in self._unshared:
                counts = self._windows[window]
                taken[window] = (counts.unshared, counts.seconds)
                counts.unshared = 0
            self._unshared = set()
            return taken

    def recent_windows(self) -> list[WindowKey]:
        """The windows this process has counts in that still count (the current or the
        previous window of their rate): those whose totals are worth learning."""
        now = self._clock()
        with self._lock:
            return [
                window
                for window, counts in self._windows.items()
                if window[2] >= int(now // counts.seconds) - 1
            ]

    def set_others(self, window: WindowKey, total: int, own_shared: int) -> None:
        """A shared store's ``total`` of ``window``, of which ``own_shared`` are this
        process's: the rest are other processes' events."""
        with self._lock:
            counts = self._windows.get(window)
            if counts is not None:
                counts.others = max(0, total - own_shared)

    def own_shared(self, window: WindowKey) -> int:
        """How many of this process's events of ``window`` have been shared (taken)."""
        with self._lock:
            counts = self._windows.get(window)
            return 0 if counts is None else counts.own - counts.unshared

    def _count(self, window: WindowKey) -> int:
        counts = self._windows.get(window)
        return 0 if counts is None else counts.own + counts.others

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

    def _add(self, now: float, window: WindowKey, seconds: int, amount: int = 1) -> None:
        counts = self._windows.get(window)
        if counts is None:
            counts = self._windows[window] = _Window(seconds)
        counts.own += amount
        counts.unshared += amount
        self._unshared.add(window)
        if now >= self._next_purge:
            self._purge(now)

    def _purge(self, now: float) -> None:
        """Forget windows too old to count (older than the previous one)."""
        self._next_purge = now + 1.0
        for window, counts in list(self._windows.items()):
            if window[2] < int(now // counts.seconds) - 1:
                del self._windows[window]
                self._unshared.discard(window)
