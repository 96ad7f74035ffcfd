"""One process's fan-out: market events in, the same encoded frame to every subscriber.

The market-data runtime hands every bus event to ``FanoutHub.dispatch``. For each topic the
event belongs to that has subscribers, the frame is encoded once and the same frame is offered
to each subscriber's bounded way out (see ``outbound``). Nothing here waits for a client.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from paperex.apps.streams.fanout.formats import encode, event_frame
from paperex.apps.streams.fanout.frames import Frame
from paperex.apps.streams.fanout.outbound import Outbound
from paperex.marketdata.events import (
    BookDelta,
    Event,
    Kline,
    MiniTicker,
    Ticker24h,
    Trade,
)

ALL_MINI_TICKERS = "!miniTicker"


def market_topic(symbol: str, stream: str) -> str:
    """The topic of a market stream, e.g. ``BTCUSDT@trade`` or ``BTCUSDT@kline_1m``."""
    return f"{symbol}@{stream}"


class FanoutHub:
    """Topic subscriptions of this process's sockets."""

    def __init__(self) -> None:
        self._subscribers: defaultdict[str, set[Outbound]] = defaultdict(set)
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
        """Forget every subscription and candle watcher."""
        self._subscribers.clear()
        self._candle_watchers.clear()

    def followed(self, topic: str) -> bool:
        """Whether any socket subscribes to ``topic``."""
        return topic in self._subscribers

    def publish(self, topic: str, frame: Frame) -> None:
        """Offer the same frame to every subscriber of ``topic``."""
        for queue in self._subscribers.get(topic, ()):
            queue.offer(frame)

    def dispatch(self, event: Event) -> None:
        """Fan an event out to the topics it belongs to; encodes only for topics with readers."""
        symbol = event.symbol
        if isinstance(event, Trade):
            self._publish_event(market_topic(symbol, "trade"), event)
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

    def _publish_event(self, topic: str, event: Event) -> None:
        if topic in self._subscribers:
            self.publish(topic, encode(event_frame(event)))


hub = FanoutHub()
"""This process's hub."""
