"""Where ``paperex watch`` gets its events: a Paperex server's ``/stream/``, Binance's public
streams, the synthetic market in-process, or a recording.

Every source ends up as normalized ``Kline``/``Trade`` events of one symbol (``watched_events``);
the live ones reconnect with exponential backoff and jitter, announcing each wait.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from decimal import Decimal

import httpx
import msgspec
from websockets.asyncio.client import ClientConnection

from paperex.domain import Instrument, Side
from paperex.marketdata.aggregation import CandleAggregator
from paperex.marketdata.binance.client import BinanceStreamClient
from paperex.marketdata.binance.rest import BinanceApiError, BinanceRestClient
from paperex.marketdata.connection import ConnectionOptions, ReconnectingWebSocket, parse_messages
from paperex.marketdata.events import Event, Kline, Trade
from paperex.marketdata.feed import Feed, feed_parser
from paperex.marketdata.replay import ReplayFeed
from paperex.marketdata.synthetic import SyntheticFeed, stream_names
from paperex.marketdata.watch.lines import LineWriter
from paperex.support.backoff import BackoffPolicy, Sleep

WatchEvent = Kline | Trade
RECONNECT_BACKOFF = BackoffPolicy(initial_delay=1.0, maximum_delay=30.0, jitter=0.5)
KLINE_UPDATE_EVERY_MS = 1_000
"""Open-candle updates made from trades come at most once a second, as Binance pushes them."""


class SourceError(Exception):
    """The source cannot serve this watch (unknown symbol, refused subscription, no answer)."""


def announcing_sleep(announce: Callable[[str], None]) -> Sleep:
    """A sleep for reconnect backoff that first announces the wait in one line."""

    async def sleep(seconds: float) -> None:
        announce(f"connection lost, reconnecting in {seconds:.1f} s…")
        await asyncio.sleep(seconds)

    return sleep


def stream_of(interval: str | None) -> str:
    """``kline_<interval>``, or ``trade`` when ``interval`` is None."""
    return "trade" if interval is None else f"kline_{interval}"


async def watched_events(
    events: AsyncIterator[Event], *, symbol: str, interval: str | None, aggregate_trades: bool
) -> AsyncIterator[WatchEvent]:
    """``symbol``'s trades (``interval`` None) or its klines of ``interval``; with
    ``aggregate_trades`` the klines are also made from its trades (a source without klines)."""
    aggregator = (
        CandleAggregator([interval], update_every_ms=KLINE_UPDATE_EVERY_MS)
        if interval is not None and aggregate_trades
        else None
    )
    async for event in events:
        if event.symbol != symbol:
            continue
        if interval is None:
            if isinstance(event, Trade):
                yield event
        elif isinstance(event, Kline) and event.interval == interval:
            yield event
        elif aggregator is not None and isinstance(event, Trade):
            for kline in aggregator.add_trade(event):
                yield kline


async def feed_events(feed: Feed) -> AsyncIterator[Event]:
    """Every event of ``feed``, parsed by its venue's parser, until the feed closes."""
    async for event in parse_messages(feed.raw_messages(), feed_parser(feed), feed.status):
        yield event


# --- A Paperex server -------------------------------------------------------------------------


class _FrameHead(msgspec.Struct):
    event: str | None = None
    error: str | None = None
    result: bool | list[str] | None = None


class _KlineFrame(msgspec.Struct):
    symbol: str
    event_time: int
    interval: str
    open_time: int
    close_time: int
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: Decimal
    quote_volume: Decimal
    trade_count: int
    closed: bool


class _TradeFrame(msgspec.Struct):
    symbol: str
    event_time: int
    price: Decimal
    quantity: Decimal
    trade_time: int
    market_maker: bool
    trade_id: int = 0


PAPEREX_VENUE = "paperex"


def parse_stream_frame(payload: bytes, received_at: int) -> WatchEvent | None:
    """The kline or trade in a ``/stream/`` frame (prices exact), or None for an
    acknowledgement or another event; raises SourceError for a refusal or an error frame."""
    head = msgspec.json.decode(payload, type=_FrameHead)
    if head.error is not None or head.result is False:
        raise SourceError(head.error or "the server refused the subscription")
    if head.event == "kline":
        kline = msgspec.json.decode(payload, type=_KlineFrame)
        return Kline(venue=PAPEREX_VENUE, received_at=received_at, **msgspec.structs.asdict(kline))
    if head.event == "trade":
        trade = msgspec.json.decode(payload, type=_TradeFrame)
        return Trade(
            venue=PAPEREX_VENUE,
            symbol=trade.symbol,
            event_time=trade.event_time,
            received_at=received_at,
            trade_id=trade.trade_id,
            price=trade.price,
            quantity=trade.quantity,
            trade_time=trade.trade_time,
            aggressor=Side.SELL if trade.market_maker else Side.BUY,
        )
    return None


def stream_url(server_url: str) -> str:
    """``http://host:port`` -> ``ws://host:port/stream/`` (https -> wss)."""
    base = server_url.rstrip("/")
    for web, socket in (("https://", "wss://"), ("http://", "ws://")):
        if base.startswith(web):
            return socket + base.removeprefix(web) + "/stream/"
    return base + "/stream/"


async def paperex_symbols(server_url: str, *, timeout: float = 5.0) -> set[str]:
    """The market symbols of the server at ``server_url`` (``GET /api/markets/``); raises
    SourceError when it does not answer with them."""
    url = server_url.rstrip("/") + "/api/markets/"
    try:
        async with httpx.AsyncClient(timeout=timeout) as http:
            response = await http.get(url)
        response.raise_for_status()
        return {market["symbol"] for market in response.json()}
    except (httpx.HTTPError, ValueError, KeyError, TypeError) as error:
        raise SourceError(
            f"no Paperex server answers at {server_url} ({error}); "
            "start one with `paperex serve`, or watch the synthetic market with --offline"
        ) from None


class PaperexStream:
    """One ``/stream/`` subscription, resubscribed on every reconnect."""

    def __init__(
        self, server_url: str, symbol: str, stream: str, *, sleep: Sleep = asyncio.sleep
    ) -> None:
        """Nothing connects until ``events`` is iterated."""
        self._request = json.dumps({"action": "subscribe", "pair": symbol, "stream": stream})
        url = stream_url(server_url)
        self._connection = ReconnectingWebSocket(
            url=lambda: url,
            on_open=self._subscribe,
            options=ConnectionOptions(backoff=RECONNECT_BACKOFF),
            sleep=sleep,
        )

    async def _subscribe(self, connection: ClientConnection) -> None:
        await connection.send(self._request)

    async def events(self) -> AsyncIterator[WatchEvent]:
        """Klines or trades as the server sends them; raises SourceError on a refusal."""
        async for message in self._connection.raw_messages():
            event = parse_stream_frame(message.payload, message.received_at)
            if event is not None:
                yield event

    async def close(self) -> None:
        """Close the connection; ``events`` then ends."""
        await self._connection.close()


# --- Binance ----------------------------------------------------------------------------------


async def check_binance_symbol(rest_url: str, symbol: str) -> None:
    """Returns when Binance lists ``symbol``; raises SourceError otherwise."""
    try:
        async with BinanceRestClient(rest_url) as client:
            await client.exchange_info([symbol])
    except BinanceApiError as error:
        raise SourceError(f"Binance does not list {symbol}: {error}") from None
    except httpx.HTTPError as error:
        raise SourceError(f"Binance does not answer at {rest_url} ({error})") from None


class WatchSource:
    """The events of one watch and how to stop them."""

    def __init__(self, events: AsyncIterator[WatchEvent], close: Callable[[], Awaitable[None]]):
        self.events = events
        self.close = close


async def server_source(
    server_url: str, symbol: str, interval: str | None, sleep: Sleep
) -> WatchSource:
    """``symbol``'s stream from a Paperex server; raises SourceError when the server does not
    answer or has no such market."""
    if symbol not in await paperex_symbols(server_url):
        raise SourceError(f"unknown symbol {symbol} at {server_url}")
    stream = PaperexStream(server_url, symbol, stream_of(interval), sleep=sleep)
    return WatchSource(stream.events(), stream.close)


async def binance_source(
    stream_base_url: str, rest_url: str, symbol: str, interval: str | None, sleep: Sleep
) -> WatchSource:
    """``symbol``'s stream straight from Binance; raises SourceError for a symbol it does not
    list."""
    await check_binance_symbol(rest_url, symbol)
    client = BinanceStreamClient(
        [f"{symbol}@{stream_of(interval)}"],
        base_url=stream_base_url,
        options=ConnectionOptions(backoff=RECONNECT_BACKOFF),
        sleep=sleep,
    )
    events = watched_events(
        client.events(), symbol=symbol, interval=interval, aggregate_trades=False
    )
    return WatchSource(events, client.close)


def synthetic_source(instrument: Instrument, interval: str | None) -> WatchSource:
    """``instrument``'s synthetic market in this process, in real time, klines made from its
    trades."""
    feed = SyntheticFeed([instrument], streams=[stream_names(instrument.symbol)[0]])
    events = watched_events(
        feed_events(feed), symbol=instrument.symbol, interval=interval, aggregate_trades=True
    )
    return WatchSource(events, feed.close)


def replay_source(path: str, symbol: str, interval: str | None) -> WatchSource:
    """A ``paperex record`` file at its original pace; its klines of ``interval`` when it
    recorded them, else klines made from its trades. Raises SourceError when the file cannot be
    read or did not record ``symbol``."""
    try:
        feed = ReplayFeed(path)
    except (OSError, ValueError) as error:
        raise SourceError(f"cannot replay {path}: {error}") from None
    symbols = {feed.symbol_map.get(name, name) for name in feed.symbols}
    if symbol not in symbols:
        raise SourceError(
            f"unknown symbol {symbol} in {path} (it has {', '.join(sorted(symbols))})"
        )
    events = watched_events(
        feed_events(feed),
        symbol=symbol,
        interval=interval,
        aggregate_trades=stream_of(interval) not in feed.streams,
    )
    return WatchSource(events, feed.close)


async def write_lines(
    source: WatchSource, writer: LineWriter, write: Callable[[str], None]
) -> None:
    """Every line of ``source``'s events through ``write`` (the CSV header first), until the
    source ends; closes the source however this ends."""
    try:
        for line in writer.header():
            write(line)
        async for event in source.events:
            for line in writer.lines(event):
                write(line)
    finally:
        await source.close()
