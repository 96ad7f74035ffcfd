"""``WS /ws/markets/`` (every market's mini ticker) and ``WS /ws/markets/<symbol>/`` (one
market: a snapshot, then candles, trades and sequenced book diffs)."""

from __future__ import annotations

from typing import Any

from channels import DEFAULT_CHANNEL_LAYER
from channels.db import database_sync_to_async

from paperex.apps.core.groups import user_group
from paperex.apps.marketdata.runtime import runtime
from paperex.apps.markets.models import Market
from paperex.apps.markets.selectors import candle_list, market_get
from paperex.apps.markets.serializers import CandleSerializer
from paperex.apps.markets.symbols import market_symbols
from paperex.apps.streams.consumers.base import HubConsumer
from paperex.apps.streams.fanout.formats import event_frame
from paperex.apps.streams.fanout.hub import ALL_MINI_TICKERS, hub, market_topic
from paperex.apps.trading.selectors.portfolio import portfolio_get, updated_position
from paperex.marketdata.events import Kline

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
        if await self.decode_request(text_data) is not None:
            self.reply({"error": "This stream takes no requests."})


def _recent_candles(symbol: str) -> list[dict[str, Any]]:
    market = market_get(symbol=symbol)
    candles = candle_list(
        market=market, interval="1m", start=None, end=None, limit=SNAPSHOT_CANDLES
    )
    return list(CandleSerializer(candles, many=True).data)


def _position_entry(user_id: int, symbol: str) -> dict[str, Any] | None:
    return next((p for p in portfolio_get(user_id=user_id) if p["symbol"] == symbol), None)


class MarketViewConsumer(HubConsumer):
    """One market as a trading page shows it (kept exactly for older tools).

    For a logged-in user it also sends ``{"event": "position", ...}``: the user's position in
    this market (a ``GET /api/portfolio/`` entry) on connect, after each of the user's fills, and
    recomputed at the new price on every candle update.
    """

    position: dict[str, Any] | None = None

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        # Only a logged-in user's socket needs the channel layer (for its fills).
        user = scope.get("user")
        if user is not None and user.is_authenticated:
            self.channel_layer_alias = DEFAULT_CHANNEL_LAYER
        await super().__call__(scope, receive, send)

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
        user = self.scope.get("user")
        if user is not None and user.is_authenticated:
            self.user_id = int(user.pk)
            await self.channel_layer.group_add(user_group(self.user_id), self.channel_name)
            await self._reload_position()
            hub.watch_candles(symbol, self._candle_updated)

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "user_id"):
            hub.unwatch_candles(self.symbol, self._candle_updated)
            await self.channel_layer.group_discard(user_group(self.user_id), self.channel_name)
        await super().disconnect(code)

    async def _reload_position(self) -> None:
        self.position = await database_sync_to_async(_position_entry)(self.user_id, self.symbol)
        if self.position is not None:
            self.reply({"event": "position", **self.position})

    def _candle_updated(self, candle: Kline) -> None:
        if self.position is not None:
            ticker = runtime.state.of(self.symbol).ticker
            self.position = updated_position(self.position, candle.close, ticker)
            self.reply({"event": "position", **self.position})

    # The user's group messages: a fill or a balance change moves the position.

    async def order_fill(self, message: dict[str, Any]) -> None:
        if message["fill"].get("symbol") == self.symbol:
            await self._reload_position()

    async def balance_update(self, message: dict[str, Any]) -> None:
        await self._reload_position()

    async def order_update(self, message: dict[str, Any]) -> None:
        """Orders show on the user stream, not here."""

    async def alert_triggered(self, message: dict[str, Any]) -> None:
        """Alerts show on the user stream, not here."""

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
        if await self.decode_request(text_data) is not None:
            self.reply({"error": "This stream takes no requests."})
