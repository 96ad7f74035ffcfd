"""``WS /stream/``: subscribe to any market's trade, ticker, depth and kline_<interval> streams
(kept exactly for older tools)."""

from __future__ import annotations

from typing import Any

from paperex.apps.marketdata.runtime import runtime
from paperex.apps.markets.symbols import market_symbols
from paperex.apps.streams.consumers.base import HubConsumer
from paperex.apps.streams.fanout.formats import event_frame
from paperex.apps.streams.fanout.hub import market_topic
from paperex.marketdata.aggregation import CANDLE_INTERVALS
from paperex.marketdata.events import BookSnapshot

STREAMS = frozenset({"trade", "ticker", "depth", *(f"kline_{i}" for i in CANDLE_INTERVALS)})
ACTIONS = ("subscribe", "unsubscribe", "list")
MAX_SUBSCRIPTIONS = 200
"""Streams one connection may follow (Binance allows 1024 on its; Paperex has fewer streams)."""


class MarketStreamConsumer(HubConsumer):
    async def connect(self) -> None:
        await self.accept()
        await self.start_outbound()

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        request = await self.decode_request(text_data)
        if request is None:
            return
        action = request.get("action")
        if action == "list":
            self.reply({"action": "list", "result": sorted(self._subscription_names())})
        elif action in ("subscribe", "unsubscribe"):
            await self._change_subscription(action, request)
        else:
            self.reply({"error": f"Unknown action {action!r}: use one of {', '.join(ACTIONS)}."})

    async def _change_subscription(self, action: str, request: dict[str, Any]) -> None:
        pair, stream = request.get("pair"), request.get("stream")
        name = f"{pair}-{stream}"
        answer: dict[str, Any] = {"action": action, "subscription": name, "result": False}
        if not isinstance(pair, str) or pair.upper() not in await market_symbols():
            self.reply({**answer, "error": f"Unknown pair {pair!r}."})
            return
        if stream not in STREAMS:
            self.reply(
                {
                    **answer,
                    "error": f"Unknown stream {stream!r}: use one of "
                    "trade, ticker, depth, kline_<1s|1m|5m|15m|1h|4h|1d>.",
                }
            )
            return
        symbol = pair.upper()
        topic = market_topic(symbol, stream)
        answer["subscription"] = f"{symbol}-{stream}"
        if action == "subscribe":
            if topic not in self.topics and len(self.topics) >= MAX_SUBSCRIPTIONS:
                self.reply(
                    {**answer, "error": f"Too many subscriptions: at most {MAX_SUBSCRIPTIONS}."}
                )
                return
            self.follow(topic)
            self.reply({**answer, "result": True})
            if stream == "depth":
                self._send_book_snapshot(symbol)
            elif stream.startswith("kline_"):
                self._send_open_candle(symbol, stream.removeprefix("kline_"))
        else:
            self.unfollow(topic)
            self.reply({**answer, "result": True})

    def _send_book_snapshot(self, symbol: str) -> None:
        """The current book first, so the diffs that follow can be applied to it."""
        state = runtime.state.of(symbol)
        if not state.book.in_sync:
            return
        snapshot = BookSnapshot(
            venue="paperex",
            symbol=symbol,
            event_time=state.book_updated_at,
            received_at=state.book_updated_at,
            last_update_id=state.book.last_update_id or 0,
            bids=state.book.book.bids(1000),
            asks=state.book.book.asks(1000),
        )
        self.reply(event_frame(snapshot))

    def _send_open_candle(self, symbol: str, interval: str) -> None:
        """The candle open now first, as the updates that follow change it."""
        candle = runtime.state.of(symbol).open_candles.get(interval)
        if candle is not None:
            self.reply(event_frame(candle))

    def _subscription_names(self) -> list[str]:
        return [topic.replace("@", "-", 1) for topic in self.topics]
