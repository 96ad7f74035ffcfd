"""A rolling 24-hour ticker from trades, kept incrementally in one entry per minute.

As Binance's rolling window does, the window starts on a minute and ends now: it holds the
minutes from ``floor_minute(now - window_ms)`` on, so it is up to 59,999 ms wider than
``window_ms``. Trades of one minute share one entry (its first price, summed volume, quote
volume and count), so a day's window holds at most 1,441 entries per symbol however busy the
market is (one entry per trade grew a server's memory for a whole day). High and low come from
monotonic deques of the minutes' extremes, so every trade costs O(1) amortized. History can
enter the window as candles (``add_candle``): a candle counts in the minute of its close (an open
one in the minute of its last trade) with its own high, low and count, so a ticker started from a
day of 1-minute candles is the exact aggregate of those candles.
"""

from __future__ import annotations

from collections import deque
from decimal import Decimal
from typing import Final

from paperex.marketdata.aggregation.intervals import DAY, MINUTE
from paperex.marketdata.events import Kline, MiniTicker, Ticker24h, Trade

_ZERO: Final = Decimal(0)
_HUNDRED: Final = Decimal(100)
_PERCENT_PLACES: Final = Decimal("0.001")
_PRICE_PLACES: Final = Decimal("0.00000001")


def _minute_of(time_ms: int) -> int:
    return time_ms - time_ms % MINUTE


class RollingTicker:
    """One symbol's 24h statistics (or any window) from its trades."""

    def __init__(self, venue: str, symbol: str, *, window_ms: int = DAY) -> None:
        """Raises ValueError when ``window_ms`` is not positive."""
        if window_ms <= 0:
            raise ValueError("window_ms must be positive")
        self.venue = venue
        self.symbol = symbol
        self.window_ms = window_ms
        self._entries: deque[tuple[int, Decimal, Decimal, Decimal, int]] = deque()
        """(minute, open price, volume, quote volume, trade count) of each minute with trades."""
        self._highs: deque[tuple[int, Decimal]] = deque()
        self._lows: deque[tuple[int, Decimal]] = deque()
        self._volume = _ZERO
        self._quote_volume = _ZERO
        self._trade_count = 0
        self._last_time = 0
        self._last_price: Decimal | None = None
        self._last_quantity = _ZERO
        self._best = (_ZERO, _ZERO, _ZERO, _ZERO)

    def add_trade(self, trade: Trade) -> None:
        """Add ``trade`` to the window (a trade older than the last one counts at the last time)."""
        price = trade.price
        quantity = trade.quantity
        self._add(trade.trade_time, price, price, price, quantity, price * quantity, 1)
        self._last_price = price
        self._last_quantity = quantity

    def add_candle(self, kline: Kline) -> None:
        """Add the trades of ``kline`` to the window as one entry (see the module notes)."""
        time_ms = kline.close_time if kline.closed else kline.event_time
        self._add(
            time_ms,
            kline.open,
            kline.high,
            kline.low,
            kline.volume,
            kline.quote_volume,
            kline.trade_count,
        )
        self._last_price = kline.close

    def _add(
        self,
        time_ms: int,
        open_price: Decimal,
        high: Decimal,
        low: Decimal,
        volume: Decimal,
        quote: Decimal,
        count: int,
    ) -> None:
        time_ms = max(time_ms, self._last_time)
        minute = _minute_of(time_ms)
        entries = self._entries
        if entries and entries[-1][0] == minute:
            _, first_price, minute_volume, minute_quote, minute_count = entries[-1]
            entries[-1] = (
                minute,
                first_price,
                minute_volume + volume,
                minute_quote + quote,
                minute_count + count,
            )
        else:
            entries.append((minute, open_price, volume, quote, count))
        self._volume += volume
        self._quote_volume += quote
        self._trade_count += count
        # Each deque keeps, per minute, only the extreme that can still become the window's.
        highs = self._highs
        while highs and highs[-1][1] <= high:
            highs.pop()
        if not highs or highs[-1][0] != minute:
            highs.append((minute, high))
        lows = self._lows
        while lows and lows[-1][1] >= low:
            lows.pop()
        if not lows or lows[-1][0] != minute:
            lows.append((minute, low))
        self._last_time = time_ms
        self._evict(self._window_start(time_ms))

    def set_best_quotes(
        self, bid: Decimal, bid_quantity: Decimal, ask: Decimal, ask_quantity: Decimal
    ) -> None:
        """Remember the top of the book, which trades alone cannot tell."""
        self._best = (bid, bid_quantity, ask, ask_quantity)

    def ticker(self, now_ms: int | None = None) -> Ticker24h | None:
        """The full ticker at ``now_ms`` (default: the last trade's time); None before any trade."""
        if self._last_price is None:
            return None
        now_ms = self._advance(now_ms)
        open_price, high, low = self._open_high_low()
        change = self._last_price - open_price
        percent = (
            (change / open_price * _HUNDRED).quantize(_PERCENT_PLACES) if open_price else _ZERO
        )
        weighted = (
            (self._quote_volume / self._volume).quantize(_PRICE_PLACES)
            if self._volume
            else self._last_price
        )
        bid, bid_quantity, ask, ask_quantity = self._best
        return Ticker24h(
            venue=self.venue,
            symbol=self.symbol,
            event_time=now_ms,
            received_at=now_ms,
            price_change=change,
            price_change_percent=percent,
            weighted_average_price=weighted,
            last_price=self._last_price,
            last_quantity=self._last_quantity,
            best_bid=bid,
            best_bid_quantity=bid_quantity,
            best_ask=ask,
            best_ask_quantity=ask_quantity,
            open=open_price,
            high=high,
            low=low,
            volume=self._volume,
            quote_volume=self._quote_volume,
            open_time=self._window_start(now_ms),
            close_time=now_ms,
            trade_count=self._trade_count,
        )

    def mini_ticker(self, now_ms: int | None = None) -> MiniTicker | None:
        """The mini ticker at ``now_ms`` (default: the last trade's time); None before any trade."""
        if self._last_price is None:
            return None
        now_ms = self._advance(now_ms)
        open_price, high, low = self._open_high_low()
        return MiniTicker(
            venue=self.venue,
            symbol=self.symbol,
            event_time=now_ms,
            received_at=now_ms,
            close=self._last_price,
            open=open_price,
            high=high,
            low=low,
            volume=self._volume,
            quote_volume=self._quote_volume,
        )

    def _window_start(self, now_ms: int) -> int:
        return _minute_of(now_ms - self.window_ms)

    def _advance(self, now_ms: int | None) -> int:
        if now_ms is None:
            return self._last_time
        self._evict(self._window_start(now_ms))
        return now_ms

    def _open_high_low(self) -> tuple[Decimal, Decimal, Decimal]:
        if not self._entries:
            assert self._last_price is not None
            return self._last_price, self._last_price, self._last_price
        return self._entries[0][1], self._highs[0][1], self._lows[0][1]

    def _evict(self, window_start: int) -> None:
        """Drop the minutes before ``window_start``."""
        entries = self._entries
        while entries and entries[0][0] < window_start:
            _, _, volume, quote, count = entries.popleft()
            self._volume -= volume
            self._quote_volume -= quote
            self._trade_count -= count
        highs = self._highs
        while highs and highs[0][0] < window_start:
            highs.popleft()
        lows = self._lows
        while lows and lows[0][0] < window_start:
            lows.popleft()


class TickerAggregator:
    """A ``RollingTicker`` per symbol; use one per venue."""

    def __init__(self, *, window_ms: int = DAY) -> None:
        """Raises ValueError when ``window_ms`` is not positive."""
        if window_ms <= 0:
            raise ValueError("window_ms must be positive")
        self.window_ms = window_ms
        self._tickers: dict[str, RollingTicker] = {}

    def add_trade(self, trade: Trade) -> None:
        """Add ``trade`` to its symbol's window."""
        self._ticker(trade.venue, trade.symbol).add_trade(trade)

    def add_candle(self, kline: Kline) -> None:
        """Add a candle of history to its symbol's window (see ``RollingTicker.add_candle``)."""
        self._ticker(kline.venue, kline.symbol).add_candle(kline)

    def _ticker(self, venue: str, symbol: str) -> RollingTicker:
        ticker = self._tickers.get(symbol)
        if ticker is None:
            ticker = self._tickers[symbol] = RollingTicker(venue, symbol, window_ms=self.window_ms)
        return ticker

    def forget(self, symbol: str) -> None:
        """Drop ``symbol``'s window, e.g. when a looping replay starts over in time."""
        self._tickers.pop(symbol, None)

    def for_symbol(self, symbol: str) -> RollingTicker | None:
        """The symbol's rolling ticker, or None before its first trade."""
        return self._tickers.get(symbol)

    def tickers(self, now_ms: int) -> list[Ticker24h]:
        """Every symbol's full ticker at ``now_ms``."""
        found = (ticker.ticker(now_ms) for ticker in self._tickers.values())
        return [ticker for ticker in found if ticker is not None]

    def mini_tickers(self, now_ms: int) -> list[MiniTicker]:
        """Every symbol's mini ticker at ``now_ms`` (the all-markets ``!miniTicker@arr`` stream)."""
        found = (ticker.mini_ticker(now_ms) for ticker in self._tickers.values())
        return [ticker for ticker in found if ticker is not None]
