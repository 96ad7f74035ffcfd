"""The stock monitor's figures per market (``WS /ws/stocks/<ticker>/``): the price, its 5-minute
moving average and an alert when it moved 2% within a minute.

The market-data runtime hands every event to ``PriceMonitors.observe`` (after the hub); the
frames go out through the hub to the sockets following ``stock_topic(ticker)``.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from paperex.apps.streams.fanout.formats import encode, stock_price_frame
from paperex.apps.streams.fanout.hub import FanoutHub, hub
from paperex.marketdata.aggregation import PriceWindow, TimeWindowAverage
from paperex.marketdata.events import Event, Quote, Trade

MINUTE_MS = 60_000
STOCK_ALERT_PERCENT = Decimal(2)


def stock_topic(ticker: str) -> str:
    """The topic of a stock monitor."""
    return f"{ticker}@monitor"


class PriceMonitor:
    """One market's 5-minute moving average and its price over the last minute."""

    def __init__(self) -> None:
        self.average = TimeWindowAverage(5 * MINUTE_MS)
        self.last_minute = PriceWindow(MINUTE_MS)
        self.last_price: Decimal | None = None
        self.last_time = 0
        self.alert_armed = True

    def observe(self, time_ms: int, price: Decimal) -> Decimal | None:
        """Record a price; returns the change in percent over the last minute when it reaches
        the alert threshold (once, until the move falls back under it), else None."""
        self.average.add(time_ms, price)
        self.last_price, self.last_time = price, time_ms
        self.last_minute.add(time_ms, price)
        oldest = self.last_minute.first(since_ms=time_ms - MINUTE_MS)
        change = (price - oldest) / oldest * 100 if oldest else Decimal(0)
        if abs(change) < STOCK_ALERT_PERCENT:
            self.alert_armed = True
            return None
        if not self.alert_armed:
            return None
        self.alert_armed = False
        return change.quantize(Decimal("0.01"))


class PriceMonitors:
    """Every market's ``PriceMonitor``, publishing to its stock monitor sockets."""

    def __init__(self, fanout: FanoutHub) -> None:
        self._hub = fanout
        self._monitors: defaultdict[str, PriceMonitor] = defaultdict(PriceMonitor)

    def get(self, symbol: str) -> PriceMonitor | None:
        """The market's monitor, None before its first price."""
        return self._monitors.get(symbol)

    def clear(self) -> None:
        """Forget every market's prices."""
        self._monitors.clear()

    def observe(self, event: Event) -> None:
        """Take a trade's or a quote's price; other events say nothing about it."""
        if isinstance(event, Trade):
            self._observe(event.symbol, event.trade_time, event.price)
        elif isinstance(event, Quote):
            self._observe(event.symbol, event.event_time, event.price)

    def _observe(self, symbol: str, time_ms: int, price: Decimal) -> None:
        monitor = self._monitors[symbol]
        change = monitor.observe(time_ms, price)
        topic = stock_topic(symbol)
        if not self._hub.followed(topic):
            return
        average = monitor.average.value()
        self._hub.publish(topic, encode(stock_price_frame(symbol, price, time_ms, average)))
        if change is not None:
            self._hub.publish(
                topic,
                encode(
                    {
                        "ticker": symbol,
                        "alert": "Stock price changed more than 2%!",
                        "change_percent": change,
                    }
                ),
            )


price_monitors = PriceMonitors(hub)
"""This process's monitors."""
