"""The wall clock, for code that takes its time through an injected ``ClockMs``."""

from __future__ import annotations

import time
from collections.abc import Callable

ClockMs = Callable[[], int]
"""Returns milliseconds since the epoch."""


def wall_clock_ms() -> int:
    """Milliseconds since the epoch now."""
    return time.time_ns() // 1_000_000
