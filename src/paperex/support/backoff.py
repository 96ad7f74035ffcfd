"""How long to wait before trying again: exponential backoff with jitter."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

Sleep = Callable[[float], Awaitable[None]]
RandomFraction = Callable[[], float]
"""Returns a float in [0, 1)."""


@dataclass(frozen=True, slots=True)
class BackoffPolicy:
    """Exponential backoff with jitter: ``min(maximum, initial * multiplier**attempt)`` seconds,
    of which the fraction ``jitter`` is random (0: no jitter, 1: "full jitter")."""

    initial_delay: float = 0.5
    maximum_delay: float = 30.0
    multiplier: float = 2.0
    jitter: float = 0.5

    def __post_init__(self) -> None:
        if self.initial_delay < 0 or self.maximum_delay < self.initial_delay:
            raise ValueError("backoff needs 0 <= initial_delay <= maximum_delay")
        if self.multiplier < 1 or not 0 <= self.jitter <= 1:
            raise ValueError("backoff needs multiplier >= 1 and 0 <= jitter <= 1")

    def delay(self, attempt: int, random_fraction: float) -> float:
        """Seconds to wait before retry number ``attempt`` (0 first), given a random in [0, 1)."""
        base = min(self.maximum_delay, self.initial_delay * self.multiplier ** min(attempt, 64))
        return base * (1 - self.jitter) + base * self.jitter * random_fraction
