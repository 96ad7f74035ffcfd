"""A market's recent prices, for rules such as "the price moved N% within M minutes"."""

from __future__ import annotations

from collections import deque
from decimal import Decimal


class PriceWindow:
    """Prices of the last ``span_ms``, one sample per ``resolution_ms`` (the latest price in it).

    The stock monitor keeps every price of the last minute (``PriceWindow(60_000)``); price
    alerts keep a sample per second of the last hour (``resolution_ms=1_000``).
    """

    def __init__(self, span_ms: int, *, resolution_ms: int = 1) -> None:
        """Raises ValueError unless both are positive."""
        if span_ms <= 0 or resolution_ms <= 0:
            raise ValueError("span_ms and resolution_ms must be positive")
        self.span_ms = span_ms
        self.resolution_ms = resolution_ms
        self._samples: deque[tuple[int, Decimal]] = deque()

    def add(self, time_ms: int, price: Decimal) -> None:
        """Record ``price``; it replaces a sample of the same resolution step, and a time before
        the latest step is ignored. Samples older than ``span_ms`` before it are dropped."""
        step = time_ms - time_ms % self.resolution_ms
        samples = self._samples
        if samples and samples[-1][0] == step:
            samples[-1] = (step, price)
        elif not samples or step > samples[-1][0]:
            samples.append((step, price))
        else:
            return
        cutoff = step - self.span_ms
        while samples[0][0] < cutoff:
            samples.popleft()

    def first(self, *, since_ms: int) -> Decimal | None:
        """The earliest price sampled at or after ``since_ms``; None without one."""
        for time, price in self._samples:
            if time >= since_ms:
                return price
        return None

    def extremes(self, *, since_ms: int) -> tuple[Decimal, Decimal] | None:
        """The lowest and highest price sampled at or after ``since_ms``; None without one."""
        prices = [price for time, price in self._samples if time >= since_ms]
        if not prices:
            return None
        return min(prices), max(prices)
