"""The hub offers one encoded frame to each subscriber of an event's topic, and to no one else."""

from __future__ import annotations

import json

import msgspec

from paperex.apps.streams.fanout.frames import Frame
from paperex.apps.streams.fanout.hub import ALL_MINI_TICKERS, FanoutHub, market_topic
from paperex.marketdata.events import Event, Kline
from tests.support.market_events import SYMBOL, delta, kline, mini_ticker, ticker, trade


class Inbox:
    """An outbound that keeps what it is offered."""

    def __init__(self) -> None:
        self.overflowed = False
        self.frames: list[Frame] = []

    def offer(self, frame: Frame) -> None:
        self.frames.append(frame)

    async def close(self) -> None:
        """Nothing to stop."""

    def streams(self) -> list[str]:
        return [json.loads(frame.payload)["event"] for frame in self.frames]


def test_each_event_kind_reaches_only_the_subscribers_of_its_topic() -> None:
    hub = FanoutHub()
    topics = ["trade", "depth", "kline_1m", "ticker"]
    inboxes = {topic: Inbox() for topic in [*topics, ALL_MINI_TICKERS]}
    for topic in topics:
        hub.subscribe(market_topic(SYMBOL, topic), inboxes[topic])
    hub.subscribe(ALL_MINI_TICKERS, inboxes[ALL_MINI_TICKERS])
    events: list[Event] = [trade(), delta(1, 2), kline(), ticker(), mini_ticker()]
    for event in events:
        hub.dispatch(event)
    assert {topic: inbox.streams() for topic, inbox in inboxes.items()} == {
        "trade": ["trade"],
        "depth": ["depth"],
        "kline_1m": ["kline"],
        "ticker": ["ticker"],
        ALL_MINI_TICKERS: ["mini_ticker"],
    }


def test_subscribers_of_one_topic_share_one_frame_and_other_symbols_get_nothing() -> None:
    hub = FanoutHub()
    first, second, other_symbol = Inbox(), Inbox(), Inbox()
    hub.subscribe("BTCUSDT@trade", first)
    hub.subscribe("BTCUSDT@trade", second)
    hub.subscribe("ETHUSDT@trade", other_symbol)
    hub.dispatch(trade())
    assert len(first.frames) == len(second.frames) == 1
    assert first.frames[0] is second.frames[0]
    assert other_symbol.frames == []


def test_unsubscribing_the_last_reader_unfollows_the_topic_and_others_stay() -> None:
    hub = FanoutHub()
    first, second = Inbox(), Inbox()
    hub.subscribe("BTCUSDT@trade", first)
    hub.subscribe("BTCUSDT@trade", second)
    hub.subscribe("BTCUSDT@depth", first)
    hub.unsubscribe_all(first, {"BTCUSDT@trade", "BTCUSDT@depth", "ETHUSDT@trade"})
    assert (hub.followed("BTCUSDT@trade"), hub.followed("BTCUSDT@depth")) == (True, False)
    hub.dispatch(trade())
    assert (len(first.frames), len(second.frames)) == (0, 1)
    hub.unsubscribe("BTCUSDT@trade", second)
    assert not hub.followed("BTCUSDT@trade")


def test_candle_watchers_see_only_their_symbols_one_minute_candles_until_unwatched() -> None:
    hub = FanoutHub()
    seen: list[Kline] = []
    hub.watch_candles(SYMBOL, seen.append)
    minute = kline("101")
    hub.dispatch(minute)
    hub.dispatch(kline("102", symbol="ETHUSDT"))
    hub.dispatch(msgspec.structs.replace(kline("103"), interval="1h"))
    hub.unwatch_candles(SYMBOL, seen.append)
    hub.dispatch(kline("104"))
    assert seen == [minute]


def test_clear_forgets_subscriptions_and_candle_watchers() -> None:
    hub = FanoutHub()
    inbox, seen = Inbox(), list[Kline]()
    hub.subscribe(market_topic(SYMBOL, "kline_1m"), inbox)
    hub.watch_candles(SYMBOL, seen.append)
    hub.clear()
    hub.dispatch(kline())
    assert (inbox.frames, seen, hub.followed(market_topic(SYMBOL, "kline_1m"))) == ([], [], False)
