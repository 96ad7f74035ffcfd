"""Trades to candles with Binance kline semantics.

A candle covers ``[open_time, open_time + interval)`` aligned to the interval in UTC, and its
``close_time`` is ``open_time + interval - 1`` ms. A candle is emitted ``closed`` when a trade of a
later interval arrives or when ``close_due(now)`` passes its close time. Open-candle updates are
emitted at most once per ``update_every_ms`` of trade time (Binance pushes them every 1-2 s).
Intervals without trades produce no candle. ``candles_rolled_up`` builds the candles of a longer
interval from shorter ones (history from a venue's klines or the synthetic past), and
``CandleAggregator.resume`` continues such an open candle with live trades.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Final

from paperex.marketdata.aggregation.intervals import (
    CANDLE_INTERVALS,
    interval_milliseconds,
    interval_offset,
)
from paperex.marketdata.events import Kline, Trade

_NO_KLINES: Final[tuple[Kline, ...]] = ()
_NEVER: Final = -(2**62)
_ZERO: Final = Decimal(0)


class CandleState:
    """The open candle of one symbol and interval; ``trade_count == 0`` means none is open."""

    __slots__ = (
        "close",
        "close_time",
        "first_trade_time",
        "high",
        "interval",
        "interval_ms",
        "last_trade_time",
        "last_update_time",
        "low",
        "offset",
        "open",
        "open_time",
        "quote_volume",
        "symbol",
        "trade_count",
        "venue",
        "volume",
    )

    def __init__(self, venue: str, symbol: str, interval: str) -> None:
        self.venue = venue
        self.symbol = symbol
        self.interval = interval
        self.interval_ms = interval_milliseconds(interval)
        self.offset = interval_offset(interval)
        self.open_time = 0
        self.close_time = _NEVER
        self.open = self.high = self.low = self.close = _ZERO
        self.volume = self.quote_volume = _ZERO
        self.trade_count = 0
        self.first_trade_time = self.last_trade_time = 0
        self.last_update_time = _NEVER

    def start(self, price: Decimal, quantity: Decimal, quote: Decimal, trade_time: int) -> None:
        """Open a new candle with its first trade."""
        self.open_time = trade_time - (trade_time - self.offset) % self.interval_ms
        self.close_time = self.open_time + self.interval_ms - 1
        self.open = self.high = self.low = self.close = price
        self.volume = quantity
        self.quote_volume = quote
        self.trade_count = 1
        self.first_trade_time = self.last_trade_time = trade_time
        self.last_update_time = _NEVER

    def resume(self, kline: Kline) -> None:
        """Continue the open candle ``kline`` (its event time is its last trade's)."""
        self.open_time, self.close_time = kline.open_time, kline.close_time
        self.open, self.high, self.low, self.close = kline.open, kline.high, kline.low, kline.close
        self.volume, self.quote_volume = kline.volume, kline.quote_volume
        self.trade_count = kline.trade_count
        self.first_trade_time, self.last_trade_time = kline.open_time, kline.event_time
        self.last_update_time = _NEVER

    def to_kline(self, *, event_time: int, received_at: int, closed: bool) -> Kline:
        """The candle as a normalized ``Kline`` event."""
        return Kline(
            venue=self.venue,
            symbol=self.symbol,
            event_time=event_time,
            received_at=received_at,
            interval=self.interval,
            open_time=self.open_time,
            close_time=self.close_time,
            open=self.open,
            high=self.high,
            low=self.low,
            close=self.close,
            volume=self.volume,
            quote_volume=self.quote_volume,
            trade_count=self.trade_count,
            closed=closed,
        )


class CandleAggregator:
    """Candles of every symbol it sees, for a fixed set of intervals.

    Use one aggregator per venue: candles are keyed by symbol.
    """

    def __init__(
        self,
        intervals: Iterable[str] = CANDLE_INTERVALS,
        *,
        update_every_ms: int | None = None,
    ) -> None:
        """``update_every_ms``: None emits closed candles only; 0 emits an update per trade.

        Raises ValueError for an unknown interval or a negative ``update_every_ms``.
        """
        self.intervals = tuple(intervals)
        for interval in self.intervals:
            interval_milliseconds(interval)
        if update_every_ms is not None and update_every_ms < 0:
            raise ValueError("update_every_ms must be >= 0 or None")
        self.update_every_ms = update_every_ms
        self.late_trades = 0
        """Trades older than their symbol's open candle, ignored like a closed candle's."""
        self._states: dict[str, list[CandleState]] = {}

    def add_trade(self, trade: Trade) -> Sequence[Kline]:
        """Fold ``trade`` into every interval; returns the candles it closed, then any updates."""
        states = self._states.get(trade.symbol)
        if states is None:
            states = self._states[trade.symbol] = [
                CandleState(trade.venue, trade.symbol, interval) for interval in self.intervals
            ]
        price = trade.price
        quantity = trade.quantity
        quote = price * quantity
        trade_time = trade.trade_time
        update_every_ms = self.update_every_ms
        emitted: list[Kline] | None = None
        for state in states:
            if trade_time > state.close_time:
                if state.trade_count:
                    closed = state.to_kline(
                        event_time=trade.event_time, received_at=trade.received_at, closed=True
                    )
                    if emitted is None:
                        emitted = [closed]
                    else:
                        emitted.append(closed)
                state.start(price, quantity, quote, trade_time)
            elif trade_time >= state.open_time:
                if price > state.high:
                    state.high = price
                elif price < state.low:
                    state.low = price
                if trade_time >= state.last_trade_time:
                    state.close = price
                    state.last_trade_time = trade_time
                elif trade_time < state.first_trade_time:
                    state.open = price
                    state.first_trade_time = trade_time
                state.volume += quantity
                state.quote_volume += quote
                state.trade_count += 1
            else:
                self.late_trades += 1
                continue
            if update_every_ms is not None and (
                trade_time - state.last_update_time >= update_every_ms
            ):
                state.last_update_time = trade_time
                update = state.to_kline(
                    event_time=trade.event_time, received_at=trade.received_at, closed=False
                )
                if emitted is None:
                    emitted = [update]
                else:
                    emitted.append(update)
        return _NO_KLINES if emitted is None else emitted

    def close_due(self, now_ms: int) -> list[Kline]:
        """Close every open candle whose close time is before ``now_ms``; returns them closed."""
        closed: list[Kline] = []
        for states in self._states.values():
            for state in states:
                if state.trade_count and state.close_time < now_ms:
                    closed.append(
                        state.to_kline(event_time=now_ms, received_at=now_ms, closed=True)
                    )
                    state.trade_count = 0
                    state.open_time = state.close_time + 1  # later trades of it are late
        return closed

    def current(self, symbol: str, interval: str, *, now_ms: int | None = None) -> Kline | None:
        """The open candle of ``symbol`` and ``interval``, or None when there is none.

        ``now_ms`` (default: the candle's last trade time) becomes the event and receive time.
        Raises ValueError when ``interval`` is not one of this aggregator's intervals.
        """
        if interval not in self.intervals:
            raise ValueError(f"interval {interval!r} is not aggregated; have {self.intervals}")
        states = self._states.get(symbol)
        if states is None:
            return None
        state = states[self.intervals.index(interval)]
        if not state.trade_count:
            return None
        time_ms = state.last_trade_time if now_ms is None else now_ms
        return state.to_kline(event_time=time_ms, received_at=time_ms, closed=False)

    def resume(self, kline: Kline) -> None:
        """Take the open candle ``kline`` (from history) as the one live trades continue.

        Raises ValueError for a closed candle or an interval this aggregator does not keep.
        """
        if kline.closed:
            raise ValueError("only an open candle can be resumed")
        if kline.interval not in self.intervals:
            raise ValueError(
                f"interval {kline.interval!r} is not aggregated; have {self.intervals}"
            )
        states = self._states.get(kline.symbol)
        if states is None:
            states = self._states[kline.symbol] = [
                CandleState(kline.venue, kline.symbol, interval) for interval in self.intervals
            ]
        states[self.intervals.index(kline.interval)].resume(kline)

    def forget(self, symbol: str) -> None:
        """Drop ``symbol``'s open candles, e.g. when a looping replay starts over in time."""
        self._states.pop(symbol, None)

    @property
    def symbols(self) -> list[str]:
        """The symbols seen so far."""
        return list(self._states)


def candles_rolled_up(klines: Sequence[Kline], interval: str, *, now_ms: int) -> list[Kline]:
    """The ``interval`` candles made of ``klines`` (one symbol, a shorter interval, oldest first).

    Each is exactly the aggregate of its parts: the first open, the highest high, the lowest low,
    the last close, the sums of volumes and counts. A candle whose close time is not before
    ``now_ms`` is open, with its last part's event time. Raises ValueError for an unknown interval.
    """
    length = interval_milliseconds(interval)
    offset = interval_offset(interval)
    rolled: list[Kline] = []
    group: list[Kline] = []
    for kline in klines:
        if group and _open_of(kline, length, offset) != _open_of(group[0], length, offset):
            rolled.append(_roll_up(group, interval, length, offset, now_ms))
            group = []
        group.append(kline)
    if group:
        rolled.append(_roll_up(group, interval, length, offset, now_ms))
    return rolled


def candles_rolled_up_from_minutes(
    minutes: Sequence[Kline], *, now_ms: int
) -> dict[str, list[Kline]]:
    """The 1m candles (one symbol, oldest first) and those of every longer interval Paperex keeps,
    each rolled up from the one before it (each interval is a multiple of the one before)."""
    candles = {"1m": list(minutes)}
    shorter = candles["1m"]
    for interval in CANDLE_INTERVALS[CANDLE_INTERVALS.index("1m") + 1 :]:
        shorter = candles[interval] = candles_rolled_up(shorter, interval, now_ms=now_ms)
    return candles


def _open_of(kline: Kline, length: int, offset: int) -> int:
    return kline.open_time - (kline.open_time - offset) % length


def _roll_up(group: list[Kline], interval: str, length: int, offset: int, now_ms: int) -> Kline:
    first, last = group[0], group[-1]
    open_time = _open_of(first, length, offset)
    close_time = open_time + length - 1
    closed = close_time < now_ms
    event_time = close_time if closed else last.event_time
    return Kline(
        venue=first.venue,
        symbol=first.symbol,
        event_time=event_time,
        received_at=event_time,
        interval=interval,
        open_time=open_time,
        close_time=close_time,
        open=first.open,
        high=max(kline.high for kline in group),
        low=min(kline.low for kline in group),
        close=last.close,
        volume=sum((kline.volume for kline in group), _ZERO),
        quote_volume=sum((kline.quote_volume for kline in group), _ZERO),
        trade_count=sum(kline.trade_count for kline in group),
        closed=closed,
    )
