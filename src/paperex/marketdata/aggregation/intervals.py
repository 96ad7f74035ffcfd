"""Kline intervals as Binance names them, and the alignment of a time to its interval (UTC)."""

from __future__ import annotations

from typing import Final

SECOND: Final = 1_000
MINUTE: Final = 60 * SECOND
HOUR: Final = 60 * MINUTE
DAY: Final = 24 * HOUR
WEEK: Final = 7 * DAY

INTERVAL_MILLISECONDS: Final[dict[str, int]] = {
    "1s": SECOND,
    "1m": MINUTE,
    "3m": 3 * MINUTE,
    "5m": 5 * MINUTE,
    "15m": 15 * MINUTE,
    "30m": 30 * MINUTE,
    "1h": HOUR,
    "2h": 2 * HOUR,
    "4h": 4 * HOUR,
    "6h": 6 * HOUR,
    "8h": 8 * HOUR,
    "12h": 12 * HOUR,
    "1d": DAY,
    "1w": WEEK,
}
"""Every supported interval's length in ms (Binance's 3d and 1M are not supported)."""

CANDLE_INTERVALS: Final = ("1s", "1m", "5m", "15m", "1h", "4h", "1d")
"""The intervals Paperex aggregates by default."""

_WEEK_OFFSET: Final = 4 * DAY
"""Binance weeks open on Monday 00:00 UTC; the epoch (1970-01-01) was a Thursday."""


def interval_milliseconds(interval: str) -> int:
    """The length of ``interval`` in ms; raises ValueError for an unknown interval name."""
    try:
        return INTERVAL_MILLISECONDS[interval]
    except KeyError:
        known = ", ".join(INTERVAL_MILLISECONDS)
        raise ValueError(f"unknown interval {interval!r}; known: {known}") from None


def interval_offset(interval: str) -> int:
    """Where ``interval``'s grid starts relative to the epoch, in ms (non-zero only for 1w)."""
    return _WEEK_OFFSET if interval == "1w" else 0


def open_time_of(time_ms: int, interval: str) -> int:
    """The open time (ms, UTC) of the ``interval`` candle containing ``time_ms``.

    Raises ValueError for an unknown interval name.
    """
    length = interval_milliseconds(interval)
    offset = interval_offset(interval)
    return time_ms - (time_ms - offset) % length
