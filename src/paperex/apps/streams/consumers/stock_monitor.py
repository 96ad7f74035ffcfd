"""``WS /ws/stocks/<ticker>/``: price, 5-minute moving average and 2% alerts, kept exactly
for older tools."""

from __future__ import annotations

from paperex.apps.markets.symbols import market_symbols
from paperex.apps.streams.consumers.base import HubConsumer
from paperex.apps.streams.fanout.formats import stock_price_frame
from paperex.apps.streams.price_monitors import price_monitors, stock_topic

UNKNOWN_TICKER_CLOSE_CODE = 4004


class StockMonitorConsumer(HubConsumer):
    async def connect(self) -> None:
        ticker = str(self.scope["url_route"]["kwargs"]["ticker"]).upper()
        await self.accept()
        await self.start_outbound()
        if ticker not in await market_symbols():
            await self.refuse(
                {"ticker": ticker, "error": f"Unknown ticker {ticker}."}, UNKNOWN_TICKER_CLOSE_CODE
            )
            return
        self.reply({"message": f"Connected to {ticker} WebSocket"})
        monitor = price_monitors.get(ticker)
        if monitor is None or monitor.last_price is None:
            self.reply({"ticker": ticker, "error": f"No price available for {ticker} yet."})
        else:
            self.reply(
                stock_price_frame(
                    ticker, monitor.last_price, monitor.last_time, monitor.average.value()
                )
            )
        self.follow(stock_topic(ticker))

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if await self.decode_request(text_data) is not None:
            self.reply({"error": "This stream takes no requests."})
