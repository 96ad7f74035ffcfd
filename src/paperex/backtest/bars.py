"""OHLCV bars as numpy arrays: what every backtest reads.

The backtester is a research model: like its peers it computes in float64 (prices, equity,
statistics), vectorized. Money that really moves, a bot's orders, goes through the order service
in exact decimals; a backtest only says what a strategy would have done.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float64]
Times = npt.NDArray[np.int64]


class BarsError(ValueError):
    """Bars that cannot be backtested; the text says why in one line."""


@dataclass(frozen=True, eq=False)
class Bars:
    """Bars in strictly increasing time order: ``time`` is each bar's open time in UTC
    milliseconds, the other arrays are float64 and as long as ``time``."""

    time: Times
    open: Floats
    high: Floats
    low: Floats
    close: Floats
    volume: Floats
    symbol: str = ""
    interval: str = ""
    """The bar interval's name (``1m``, ``1h``, …) when known, else empty."""

    def __post_init__(self) -> None:
        lengths = {len(self.time), *(len(array) for array in self.prices)}
        if len(lengths) != 1:
            raise BarsError("bars: time, open, high, low, close and volume differ in length")
        if len(self.time) > 1 and not bool(np.all(np.diff(self.time) > 0)):
            raise BarsError("bars: times must be strictly increasing")

    @property
    def prices(self) -> tuple[Floats, Floats, Floats, Floats, Floats]:
        return (self.open, self.high, self.low, self.close, self.volume)

    def __len__(self) -> int:
        return len(self.time)

    @classmethod
    def from_arrays(
        cls,
        time: npt.ArrayLike,
        close: npt.ArrayLike,
        *,
        open: npt.ArrayLike | None = None,
        high: npt.ArrayLike | None = None,
        low: npt.ArrayLike | None = None,
        volume: npt.ArrayLike | None = None,
        symbol: str = "",
        interval: str = "",
    ) -> Bars:
        """Bars from array-likes; a missing open, high or low is the close, a missing volume 0.
        Raises BarsError for arrays of different lengths or times out of order."""
        closes = np.asarray(close, dtype=np.float64)

        def column(values: npt.ArrayLike | None, default: Floats) -> Floats:
            return default if values is None else np.asarray(values, dtype=np.float64)

        return cls(
            time=np.asarray(time, dtype=np.int64),
            open=column(open, closes),
            high=column(high, closes),
            low=column(low, closes),
            close=closes,
            volume=column(volume, np.zeros(len(closes))),
            symbol=symbol,
            interval=interval,
        )

    def between(self, start_ms: int | None = None, end_ms: int | None = None) -> Bars:
        """The bars whose time is in [start_ms, end_ms) (either bound may be None)."""
        first = 0 if start_ms is None else int(np.searchsorted(self.time, start_ms, "left"))
        last = len(self) if end_ms is None else int(np.searchsorted(self.time, end_ms, "left"))
        return Bars(
            self.time[first:last],
            self.open[first:last],
            self.high[first:last],
            self.low[first:last],
            self.close[first:last],
            self.volume[first:last],
            symbol=self.symbol,
            interval=self.interval,
        )
