"""Simple moving averages over a time window and over the last N values, kept incrementally."""

from __future__ import annotations

from collections import deque
from decimal import Decimal
from typing import Final

_ZERO: Final = Decimal(0)


class TimeWindowAverage:
    """The mean of the values observed in ``(now - window_ms, now]``.

    The stock monitor's 5-minute SMA of price is ``TimeWindowAverage(5 * MINUTE)`` fed with trade
    or quote prices.
    """

    def __init__(self, window_ms: int) -> None:
        """Raises ValueError when ``window_ms`` is not positive."""
        if window_ms <= 0:
            raise ValueError("window_ms must be positive")
        self.window_ms = window_ms
        self._samples: deque[tuple[int, Decimal]] = deque()
        self._sum = _ZERO
        self._last_time = 0

    def add(self, time_ms: int, value: Decimal) -> None:
        """Observe ``value`` at ``time_ms`` (an older time counts as the latest one)."""
        time_ms = max(time_ms, self._last_time)
        self._last_time = time_ms
        self._samples.append((time_ms, value))
        self._sum += value
        self._evict(time_ms - self.window_ms)

    def value(self, now_ms: int | None = None) -> Decimal | None:
        """The mean at ``now_ms`` (default: the latest observation); None if the window is empty."""
        if now_ms is not None:
            self._evict(now_ms - self.window_ms)
        if not self._samples:
            return None
        return self._sum / len(self._samples)

    def __len__(self) -> int:
        return len(self._samples)

    def _evict(self, cutoff: int) -> None:
        samples = self._samples
        while samples and samples[0][0] <= cutoff:
            self._sum -= samples.popleft()[1]


class CountWindowAverage:
    """The mean of the last ``count`` values, e.g. the closes of the last 20 closed candles."""

    def __init__(self, count: int) -> None:
        """Raises ValueError when ``count`` is not positive."""
        if count <= 0:
            raise ValueError("count must be positive")
        self.count = count
        self._values: deque[Decimal] = deque()
        self._sum = _ZERO

    def add(self, value: Decimal) -> None:
        """Observe ``value``, dropping the oldest once ``count`` are held."""
        self._values.append(value)
        self._sum += value
        if len(self._values) > self.count:
            self._sum -= self._values.popleft()

    def value(self) -> Decimal | None:
        """The mean of the last ``count`` values; None until ``count`` values were observed."""
        if len(self._values) < self.count:
            return None
        return self._sum / self.count

    def __len__(self) -> int:
        return len(self._values)
