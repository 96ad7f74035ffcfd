"""Technical indicators over float64 arrays: SMA, EMA, RSI, Bollinger bands and ATR.

Every indicator returns arrays as long as its input, NaN during the warm-up (and all NaN when the
period is longer than the data); a period below 1 raises ValueError. All are vectorized and
accurate to better than 1e-13 relative on price series: no running sum is ever subtracted from
another.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import numpy.typing as npt
from numpy.lib.stride_tricks import sliding_window_view

from paperex.backtest.bars import Floats

_MAX_BLOCK = 512
"""The most steps one block of the smoothing recursion unrolls: its rounding error grows with it."""
_MAX_GROWTH_DIGITS = 100
"""A block's weights grow up to 10**this, far from overflow for any price."""
_SHIFTED_SUMS_UP_TO = 24
"""The longest window summed as shifted copies of the values rather than in blocks."""
_VARIANCE_CHUNK = 1 << 18
"""About how many window elements one chunk of the variances holds at a time (2 MB)."""


def sma(values: npt.ArrayLike, period: int) -> Floats:
    """The simple moving average: the mean of the last ``period`` values, first at index
    ``period - 1``. A NaN makes NaN exactly the windows that hold it."""
    _check_period("sma", period)
    prices = _floats(values)
    if period > len(prices):
        return _nans(len(prices))
    averages = np.empty(len(prices))
    averages[: period - 1] = np.nan
    np.divide(_window_sums(prices, period), period, out=averages[period - 1 :])
    return averages


def ema(values: npt.ArrayLike, period: int) -> Floats:
    """The exponential moving average with alpha = 2 / (period + 1), seeded (the usual TA
    convention) with the simple mean of the first ``period`` values at index ``period - 1``."""
    _check_period("ema", period)
    return _seeded_average(_floats(values), period, alpha=2.0 / (period + 1))


def rsi(close: npt.ArrayLike, period: int = 14) -> Floats:
    """Wilder's relative strength index, 0 to 100, first at index ``period``.

    The average gain and loss of the changes are seeded with the simple mean of the first
    ``period`` changes, then smoothed with alpha = 1 / period. RSI = 100 - 100 / (1 + gain / loss),
    computed as 100 * gain / (gain + loss): 100 when the loss is 0, and 50 when both are 0 (a
    flat market). Needs ``period + 1`` closes for a first value.
    """
    _check_period("rsi", period)
    closes = _floats(close)
    changes = np.diff(closes)
    gains = _seeded_average(np.maximum(changes, 0.0), period, alpha=1.0 / period)
    losses = _seeded_average(np.maximum(-changes, 0.0), period, alpha=1.0 / period)
    moves = gains + losses
    strength = np.full_like(moves, 50.0)
    np.divide(100.0 * gains, moves, out=strength, where=moves != 0.0)
    return np.concatenate((_nans(len(closes) - len(strength)), strength))


def bollinger(
    close: npt.ArrayLike, period: int = 20, width: float = 2.0
) -> tuple[Floats, Floats, Floats]:
    """Bollinger bands ``(middle, upper, lower)``: the SMA of ``period`` closes, plus and minus
    ``width`` population standard deviations (ddof=0) of the same window.

    The deviations are taken from each window's mean (two passes, no E[x²] - E[x]² cancellation),
    so this costs O(len * period).
    """
    _check_period("bollinger", period)
    prices = _floats(close)
    middle = sma(prices, period)
    spread = _nans(len(prices))
    if period <= len(prices):
        spread[period - 1 :] = width * np.sqrt(
            _window_variances(prices, middle[period - 1 :], period)
        )
    return middle, middle + spread, middle - spread


def atr(high: npt.ArrayLike, low: npt.ArrayLike, close: npt.ArrayLike, period: int = 14) -> Floats:
    """Wilder's average true range, first at index ``period - 1``.

    The true range is max(high - low, |high - previous close|, |low - previous close|), the first
    bar's just high - low; the ATR is seeded with the mean of the first ``period`` true ranges,
    then smoothed with alpha = 1 / period.
    """
    _check_period("atr", period)
    highs, lows, closes = _floats(high), _floats(low), _floats(close)
    if not len(highs) == len(lows) == len(closes):
        raise ValueError("atr: high, low and close differ in length")
    return _seeded_average(_true_ranges(highs, lows, closes), period, alpha=1.0 / period)


def _true_ranges(highs: Floats, lows: Floats, closes: Floats) -> Floats:
    ranges = highs - lows
    previous = closes[:-1]
    ranges[1:] = np.maximum.reduce(
        [ranges[1:], np.abs(highs[1:] - previous), np.abs(lows[1:] - previous)]
    )
    return ranges


def _check_period(indicator: str, period: int) -> None:
    if period < 1:
        raise ValueError(f"{indicator}: period must be at least 1, got {period}")


def _floats(values: npt.ArrayLike) -> Floats:
    return np.asarray(values, dtype=np.float64)


def _nans(length: int) -> Floats:
    return np.full(length, np.nan)


def _window_sums(values: Floats, period: int) -> Floats:
    """The sum of each full window of ``period`` values, ``len(values) - period + 1`` of them.

    Cut into blocks of ``period``, a window is a suffix of one block plus a prefix of the next:
    running sums restart at every block, so none runs over more than ``period`` values and no
    difference of long running sums loses digits (a suffix is its block's total less a prefix,
    both of at most ``period`` terms). Short windows just add up shifted copies of the values,
    which is quicker.
    """
    if period <= _SHIFTED_SUMS_UP_TO:
        return _shifted_sums(values, period)
    prefixes = _block_prefixes(values, period)
    blocks = len(prefixes)
    totals = prefixes[:, -1]
    # Row b, column k: the window that starts at offset k of block b. The last block's windows
    # past its first are not full, and are cut off below.
    sums = np.empty((blocks, period))
    sums[:, 0] = totals
    np.subtract(totals[:-1, None], prefixes[:-1, :-1], out=sums[:-1, 1:])
    sums[:-1, 1:] += prefixes[1:, :-1]
    return sums.ravel()[: len(values) - period + 1]


def _block_prefixes(values: Floats, period: int) -> Floats:
    """Running sums restarting every ``period`` values, one row per block. Past the end of
    the values the last row holds 0: only windows that run past the end read it, and those
    are cut off."""
    full, rest = divmod(len(values), period)
    prefixes = np.empty((full + (rest > 0), period))
    np.cumsum(values[: full * period].reshape(full, period), axis=1, out=prefixes[:full])
    if rest:
        np.cumsum(values[full * period :], out=prefixes[full, :rest])
        prefixes[full, rest:] = 0.0
    return prefixes


def _shifted_sums(values: Floats, period: int) -> Floats:
    sums = values[: len(values) - period + 1].copy()
    for offset in range(1, period):
        sums += values[offset : offset + len(sums)]
    return sums


def _window_variances(values: Floats, means: Floats, period: int) -> Floats:
    """The population variance of each full window of ``period`` values about its mean."""
    windows = sliding_window_view(values, period)
    variances = np.empty(len(windows))
    step = max(1, _VARIANCE_CHUNK // period)
    for start in range(0, len(windows), step):
        stop = start + step
        deviations = windows[start:stop] - means[start:stop, np.newaxis]
        variances[start:stop] = np.einsum("ij,ij->i", deviations, deviations)
    return variances / period


def _seeded_average(values: Floats, period: int, alpha: float) -> Floats:
    """NaN before index ``period - 1``, the mean of the first ``period`` values there, then
    ``average = (1 - alpha) * previous average + alpha * value``."""
    averages = _nans(len(values))
    if period <= len(values):
        seed = float(np.mean(values[:period]))
        averages[period - 1] = seed
        averages[period:] = _smoothed(values[period:], alpha, seed)
    return averages


def _smoothed(values: Floats, alpha: float, start: float) -> Floats:
    """``average[t] = decay * average[t - 1] + alpha * values[t]`` with ``decay = 1 - alpha``,
    from ``average[-1] = start``.

    Unrolled over blocks of ``length`` steps: within a block, starting from 0,
    ``average[k] = alpha * decay**k * Σ_{m ≤ k} values[m] * decay**-m``, a sum of same-signed
    terms for same-signed values; the block's start then adds ``decay**(k + 1) * start``. The
    blocks are short enough that ``decay**-m`` stays far from overflow, and only the states
    between blocks run in a Python loop.
    """
    decay = 1.0 - alpha
    if decay == 0.0 or len(values) == 0:
        return alpha * values
    length = _block_length(decay)
    blocks = -(-len(values) // length)
    padded = np.zeros(blocks * length)
    padded[: len(values)] = values
    steps = np.arange(length, dtype=np.float64)
    shrink = decay**steps
    averages = np.cumsum(padded.reshape(blocks, length) * decay**-steps, axis=1)
    averages *= alpha * shrink
    block_decay = decay**length
    starts = itertools.accumulate(
        averages[:-1, -1].tolist(),
        lambda state, block_end: block_decay * state + block_end,
        initial=start,
    )
    averages += np.multiply.outer(np.fromiter(starts, np.float64, blocks), decay * shrink)
    return averages.ravel()[: len(values)]


def _block_length(decay: float) -> int:
    within_range = int(_MAX_GROWTH_DIGITS * math.log(10.0) / -math.log(decay))
    return max(1, min(_MAX_BLOCK, within_range))
