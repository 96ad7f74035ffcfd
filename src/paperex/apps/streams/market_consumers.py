"""``WS /ws/markets/`` (every market's mini ticker) and ``WS /ws/markets/<symbol>/`` (one
market: a snapshot, then candles, trades and sequenced book diffs)."""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async

from paperex.apps.markets.models import Market
from paperex.apps.markets.runtime import runtime
from paperex.apps.markets.selectors import candle_list, market_get
from paperex.apps.markets.serializers import CandleSerializer
from paperex.apps.streams.base import HubConsumer
from paperex.apps.streams.formats import event_frame
from paperex.apps.streams.hub import ALL_MINI_TICKERS, market_topic
from paperex.apps.streams.symbols import market_symbols

UNKNOWN_MARKET_CLOSE_CODE = 4004
SNAPSHOT_CANDLES = 200
SNAPSHOT_BOOK_LEVELS = 50
MARKET_VIEW_STREAMS = ("kline_1m", "trade", "depth")


class AllMarketsConsumer(HubConsumer):
    """Every market's last price, 24h change and volume on one connection."""

    async def connect(self) -> None:
        await self.accept()
        await self.start_outbound()
        tickers = [
            event_frame(state.mini_ticker)
            for state in runtime.state.symbols.values()
            if state.mini_ticker is not None
        ]
        self.reply({"event": "mini_tickers", "tickers": tickers})
        self.follow(ALL_MINI_TICKERS)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.decode_request(text_data) is not None:
            self.reply({"error": "This stream takes no requests."})


def _recent_candles(symbol: str) -> list[dict[str, Any]]:
    market = market_get(symbol=symbol)
    candles = candle_list(
        market=market, interval="1m", start=None, end=None, limit=SNAPSHOT_CANDLES
    )
    return list(CandleSerializer(candles, many=True).data)


class MarketViewConsumer(HubConsumer):
    """One market as a trading page shows it (compat interface §4)."""

    async def connect(self) -> None:
        symbol = str(self.scope["url_route"]["kwargs"]["symbol"]).upper()
        await self.accept()
        await self.start_outbound()
        if symbol not in await market_symbols():
            await self.refuse({"error": f"Unknown market {symbol}."}, UNKNOWN_MARKET_CLOSE_CODE)
            return
        self.symbol = symbol
        try:
            candles = await database_sync_to_async(_recent_candles)(symbol)
        except Market.DoesNotExist:
            candles = []
        # Follow first, then snapshot: an update racing the snapshot arrives after it, and
        # the book's sequence numbers tell the client which diffs the snapshot already has.
        for stream in MARKET_VIEW_STREAMS:
            self.follow(market_topic(symbol, stream))
        self.reply(self._snapshot(candles))

    def _snapshot(self, candles: list[dict[str, Any]]) -> dict[str, Any]:
        state = runtime.state.of(self.symbol)
        open_candle = state.open_candles.get("1m")
        book = state.book
        return {
            "event": "snapshot",
            "symbol": self.symbol,
            "candles": candles,
            "open_candle": event_frame(open_candle) if open_candle else None,
            "book": {
                "last_update_id": book.last_update_id,
                "in_sync": book.in_sync,
                "bids": book.book.bids(SNAPSHOT_BOOK_LEVELS),
                "asks": book.book.asks(SNAPSHOT_BOOK_LEVELS),
            },
            "trades": [event_frame(trade) for trade in state.trades],
        }

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.decode_request(text_data) is not None:
            self.reply({"error": "This stream takes no requests."})
