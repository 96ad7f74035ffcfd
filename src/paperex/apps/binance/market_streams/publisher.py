"""Publishes Binance stream frames on the hub: each payload built once, its raw frame and its
combined frame each encoded once, for the topics that have subscribers only.

Candles and tickers come from the market-data runtime (as ``/api/v3/klines`` and
``ticker/24hr`` read them); trades come from the exchange (as ``/api/v3/trades`` reads them),
see ``exchange_groups``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from paperex.apps.binance.market_streams import payloads
from paperex.apps.binance.market_streams.names import (
    ALL_MINI_TICKERS,
    ALL_TICKERS,
    combined_topic,
    raw_topic,
)
from paperex.apps.streams.fanout.formats import encode
from paperex.apps.streams.fanout.frames import Frame
from paperex.apps.streams.fanout.hub import hub
from paperex.marketdata.events import Event, Kline, MiniTicker, Ticker24h
from paperex.support.clock import wall_clock_ms


def combined_frame(name: str, raw: Frame) -> Frame:
    """``{"stream": name, "data": <raw payload>}`` around the raw frame's bytes."""
    return Frame(b'{"stream":' + encode(name).payload + b',"data":' + raw.payload + b"}")


def followed(name: str) -> bool:
    """Whether any socket follows stream ``name``, raw or combined."""
    return hub.followed(raw_topic(name)) or hub.followed(combined_topic(name))


def publish(name: str, payload: Callable[[], Any]) -> None:
    """Offer stream ``name``'s next event to its subscribers; ``payload`` builds it, only when
    someone follows the stream."""
    raw, combined = raw_topic(name), combined_topic(name)
    wanted_raw, wanted_combined = hub.followed(raw), hub.followed(combined)
    if not (wanted_raw or wanted_combined):
        return
    frame = encode(payload())
    if wanted_raw:
        hub.publish(raw, frame)
    if wanted_combined:
        hub.publish(combined, combined_frame(name, frame))


def market_event_published(event: Event) -> None:
    """The runtime's listener: candles and tickers to their Binance streams."""
    symbol = event.symbol.lower()
    if isinstance(event, Kline):
        publish(f"{symbol}@kline_{event.interval}", lambda: payloads.kline_payload(event))
    elif isinstance(event, Ticker24h):
        publish(f"{symbol}@ticker", lambda: payloads.ticker_payload(event))
        publish(ALL_TICKERS, lambda: [payloads.ticker_payload(event)])
    elif isinstance(event, MiniTicker):
        publish(f"{symbol}@miniTicker", lambda: payloads.mini_ticker_payload(event))
        publish(ALL_MINI_TICKERS, lambda: [payloads.mini_ticker_payload(event)])


def exchange_trade_published(trade: dict[str, Any]) -> None:
    """A ``market.trade`` message (the exchange's public trade) to its Binance streams."""
    symbol = str(trade["symbol"]).lower()
    now = wall_clock_ms()
    publish(f"{symbol}@trade", lambda: payloads.trade_payload(trade, now))
    publish(f"{symbol}@aggTrade", lambda: payloads.aggregate_trade_payload(trade, now))
