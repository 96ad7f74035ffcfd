"""The watch sources' pure parts: ``/stream/`` frames to events, URLs, what a watch follows."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal

import pytest

from paperex.domain import Side
from paperex.marketdata.events import Event, Kline, Trade
from paperex.marketdata.watch.sources import (
    SourceError,
    parse_stream_frame,
    stream_url,
    watched_events,
)

KLINE_FRAME = (
    b'{"event":"kline","event_time":1725842832003,"symbol":"BTCUSDT","interval":"1m",'
    b'"open_time":1725842820000,"close_time":1725842879999,"open":65000.10,"high":65010,'
    b'"low":64990.5,"close":65000.12,"volume":0.5,"quote_volume":32500.06,"trade_count":3,'
    b'"closed":false}'
)


def test_a_kline_frame_keeps_its_exact_digits() -> None:
    kline = parse_stream_frame(KLINE_FRAME, 7)
    assert isinstance(kline, Kline)
    assert (kline.open, kline.high, kline.close) == (
        Decimal("65000.10"),
        Decimal("65010"),
        Decimal("65000.12"),
    )
    assert (kline.event_time, kline.received_at, kline.interval) == (1725842832003, 7, "1m")


@pytest.mark.parametrize(("market_maker", "side"), [("true", Side.SELL), ("false", Side.BUY)])
def test_a_trade_frame_takes_its_side_from_market_maker(market_maker: str, side: Side) -> None:
    frame = (
        '{"event":"trade","event_time":1,"symbol":"BTCUSDT","price":54718.1,"quantity":0.006,'
        f'"trade_time":2,"market_maker":{market_maker},"ignore":null,"trade_id":9}}'
    ).encode()
    trade = parse_stream_frame(frame, 3)
    assert isinstance(trade, Trade)
    assert (trade.price, trade.quantity, trade.aggressor) == (
        Decimal("54718.1"),
        Decimal("0.006"),
        side,
    )


def test_an_acknowledgement_is_no_event_and_a_refusal_is_an_error() -> None:
    ack = b'{"action":"subscribe","subscription":"BTCUSDT-trade","result":true}'
    assert parse_stream_frame(ack, 0) is None
    refusal = b'{"action":"subscribe","subscription":"X-trade","result":false,"error":"Unknown"}'
    with pytest.raises(SourceError, match="Unknown"):
        parse_stream_frame(refusal, 0)


@pytest.mark.parametrize(
    ("server", "url"),
    [
        ("http://127.0.0.1:8000", "ws://127.0.0.1:8000/stream/"),
        ("https://paperex.example/", "wss://paperex.example/stream/"),
    ],
)
def test_the_stream_url_of_a_server(server: str, url: str) -> None:
    assert stream_url(server) == url


def trade(symbol: str, price: str, time_ms: int) -> Trade:
    return Trade(
        venue="test",
        symbol=symbol,
        event_time=time_ms,
        received_at=time_ms,
        trade_id=time_ms,
        price=Decimal(price),
        quantity=Decimal(1),
        trade_time=time_ms,
        aggressor=Side.BUY,
    )


async def collected(events: list[Event], interval: str | None) -> list[Kline | Trade]:
    async def source() -> AsyncIterator[Event]:
        for event in events:
            yield event

    watched = watched_events(source(), symbol="BTCUSDT", interval=interval, aggregate_trades=True)
    return [event async for event in watched]


async def test_trades_of_the_symbol_only() -> None:
    events: list[Event] = [trade("BTCUSDT", "1", 0), trade("ETHUSDT", "2", 1)]
    assert await collected(events, None) == [events[0]]


async def test_klines_are_made_from_trades_when_the_source_has_none() -> None:
    events: list[Event] = [
        trade("BTCUSDT", price, t) for price, t in (("10", 0), ("12", 500), ("11", 1000))
    ]
    klines = await collected(events, "1s")
    assert [(k.open, k.high, k.close, k.closed) for k in klines if isinstance(k, Kline)] == [
        (Decimal(10), Decimal(10), Decimal(10), False),
        (Decimal(10), Decimal(12), Decimal(12), True),
        (Decimal(11), Decimal(11), Decimal(11), False),
    ]
