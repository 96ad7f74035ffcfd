"""One process's fan-out: market events in, the same encoded frame to every subscriber.

The market-data runtime hands every bus event to ``FanoutHub.dispatch``. For each topic the
event belongs to that has subscribers, the frame is encoded once and the same frame is offered
to each subscriber's bounded way out (see ``outbound``). Nothing here waits for a client.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal

from paperex.apps.streams.fanout.formats import encode, event_frame, stock_price_frame
from paperex.apps.streams.fanout.frames import Frame
from paperex.apps.streams.fanout.outbound import Outbound
from paperex.marketdata.aggregation import PriceWindow, TimeWindowAverage
from paperex.marketdata.events import (
    BookDelta,
    Event,
    Kline,
    MiniTicker,
    Quote,
    Ticker24h,
    Trade,
)

MINUTE_MS = 60_000
STOCK_ALERT_PERCENT = Decimal(2)
ALL_MINI_TICKERS = "!miniTicker"


def market_topic(symbol: str, stream: str) -> str:
    """The topic of a market stream, e.g. ``BTCUSDT@trade`` or ``BTCUSDT@kline_1m``."""
    return f"{symbol}@{stream}"


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


class FanoutHub:
    """Topic subscriptions of this process's sockets."""

    def __init__(self) -> None:
        self._subscribers: defaultdict[str, set[Outbound]] = defaultdict(set)
        self.monitors: defaultdict[str, PriceMonitor] = defaultdict(PriceMonitor)
        self._candle_watchers: defaultdict[str, set[Callable[[Kline], None]]] = defaultdict(set)

    def watch_candles(self, symbol: str, watcher: Callable[[Kline], None]) -> None:
        """Call ``watcher`` with every 1m candle update of ``symbol`` (after its frame is out)."""
        self._candle_watchers[symbol].add(watcher)

    def unwatch_candles(self, symbol: str, watcher: Callable[[Kline], None]) -> None:
        """Stop calling ``watcher``."""
        self._candle_watchers[symbol].discard(watcher)

    def subscribe(self, topic: str, queue: Outbound) -> None:
        """Send the topic's frames to ``queue``."""
        self._subscribers[topic].add(queue)

    def unsubscribe(self, topic: str, queue: Outbound) -> None:
        """Stop sending the topic's frames to ``queue``."""
        subscribers = self._subscribers.get(topic)
        if subscribers is not None:
            subscribers.discard(queue)
            if not subscribers:
                del self._subscribers[topic]

    def unsubscribe_all(self, queue: Outbound, topics: set[str]) -> None:
        """Remove ``queue`` from every one of ``topics``."""
        for topic in topics:
            self.unsubscribe(topic, queue)

    def clear(self) -> None:
        """Forget every subscription and price monitor."""
        self._subscribers.clear()
        self.monitors.clear()
        self._candle_watchers.clear()

    def publish(self, topic: str, frame: Frame) -> None:
        """Offer the same frame to every subscriber of ``topic``."""
        for queue in self._subscribers.get(topic, ()):
            queue.offer(frame)

    def dispatch(self, event: Event) -> None:
        """Fan an event out to the topics it belongs to; encodes only for topics with readers."""
        symbol = event.symbol
        if isinstance(event, Trade):
            self._publish_event(market_topic(symbol, "trade"), event)
            self._observe_price(symbol, event.trade_time, event.price)
        elif isinstance(event, BookDelta):
            self._publish_event(market_topic(symbol, "depth"), event)
        elif isinstance(event, Kline):
            self._publish_event(market_topic(symbol, f"kline_{event.interval}"), event)
            if event.interval == "1m":
                for watcher in list(self._candle_watchers.get(symbol, ())):
                    watcher(event)
        elif isinstance(event, Ticker24h):
            self._publish_event(market_topic(symbol, "ticker"), event)
        elif isinstance(event, MiniTicker):
            self._publish_event(ALL_MINI_TICKERS, event)
        elif isinstance(event, Quote):
            self._observe_price(symbol, event.event_time, event.price)

    def _publish_event(self, topic: str, event: Event) -> None:
        if topic in self._subscribers:
            self.publish(topic, encode(event_frame(event)))

    def _observe_price(self, symbol: str, time_ms: int, price: Decimal) -> None:
        monitor = self.monitors[symbol]
        change = monitor.observe(time_ms, price)
        topic = stock_topic(symbol)
        if topic not in self._subscribers:
            return
        average = monitor.average.value()
        self.publish(topic, encode(stock_price_frame(symbol, price, time_ms, average)))
        if change is not None:
            self.publish(
                topic,
                encode(
                    {
                        "ticker": symbol,
                        "alert": "Stock price changed more than 2%!",
                        "change_percent": change,
                    }
                ),
            )


hub = FanoutHub()
"""This process's hub."""
