"""Each stream's payload, key by key against Binance's web-socket-streams.md, raw on ``/ws`` and
combined on ``/stream``; each event encoded once per kind of frame."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from channels.layers import get_channel_layer

from paperex.apps.binance.market_streams import publisher
from paperex.apps.binance.market_streams.publisher import market_event_published
from paperex.apps.core.groups import trades_group
from paperex.apps.streams.fanout import formats
from paperex.config.asgi import application
from tests.apps.binance.market_streams.conftest import Connect
from tests.support.market_events import T0, kline, mini_ticker, ticker

pytestmark = pytest.mark.django_db(transaction=True)


def exchange_trade(trade_id: int, taker_side: str = "SELL") -> dict[str, Any]:
    """A ``market.trade`` message as the host publishes it (a PublicTradeView)."""
    return {
        "type": "market.trade",
        "symbol": "BTCUSDT",
        "sequence": trade_id,
        "trade_id": trade_id,
        "price": "54718.1",
        "quantity": "0.006",
        "quote_quantity": "328.3086",
        "taker_side": taker_side,
        "is_reference": False,
        "time": T0 + 5,
    }


async def test_exchange_trades_are_trade_and_aggregate_trade_events(connect: Connect) -> None:
    trades = await connect("/ws/btcusdt@trade")
    aggregates = await connect("/ws/BTCUSDT@aggTrade")
    await get_channel_layer().group_send(trades_group("BTCUSDT"), exchange_trade(7))
    trade = await trades.receive_json_from(timeout=5)
    assert trade == {
        "e": "trade",
        "E": trade["E"],
        "s": "BTCUSDT",
        "t": 7,
        "p": "54718.10000000",
        "q": "0.00600000",
        "T": T0 + 5,
        "m": True,
        "M": True,
    }
    assert trade["E"] >= T0
    assert await aggregates.receive_json_from(timeout=5) == {
        "e": "aggTrade",
        "E": trade["E"],
        "s": "BTCUSDT",
        "a": 7,
        "p": "54718.10000000",
        "q": "0.00600000",
        "f": 7,
        "l": 7,
        "T": T0 + 5,
        "m": True,
        "M": True,
    }
    await get_channel_layer().group_send(trades_group("BTCUSDT"), exchange_trade(8, "BUY"))
    assert (await trades.receive_json_from(timeout=5))["m"] is False


async def test_a_kline_event(connect: Connect) -> None:
    socket = await connect("/ws/btcusdt@kline_1m")
    market_event_published(kline("100.5"))
    market_event_published(kline(symbol="ETHUSDT"))  # not followed
    assert await socket.receive_json_from(timeout=5) == {
        "e": "kline",
        "E": T0,
        "s": "BTCUSDT",
        "k": {
            "t": T0,
            "T": T0 + 59_999,
            "s": "BTCUSDT",
            "i": "1m",
            "f": -1,
            "L": -1,
            "o": "100.00000000",
            "c": "100.50000000",
            "h": "101.00000000",
            "l": "99.00000000",
            "v": "2.00000000",
            "n": 3,
            "x": False,
            "q": "200.00000000",
            "V": "0.00000000",
            "Q": "0.00000000",
            "B": "0",
        },
    }
    assert await socket.receive_nothing(timeout=0.1)


async def test_the_24h_ticker_event_and_the_all_market_array(connect: Connect) -> None:
    one = "1.00000000"
    expected = {
        "e": "24hrTicker",
        "E": T0,
        "s": "BTCUSDT",
        "p": "2.50000000",
        "P": "1.234",
        "w": one,
        "x": one,
        "c": "3.50000000",
        "Q": one,
        "b": one,
        "B": one,
        "a": one,
        "A": one,
        "o": one,
        "h": one,
        "l": one,
        "v": one,
        "q": one,
        "O": T0 - 86_400_000,
        "C": T0,
        "F": -1,
        "L": -1,
        "n": 1,
    }
    single = await connect("/ws/btcusdt@ticker")
    every = await connect("/ws/!ticker@arr")
    market_event_published(ticker("3.5", price_change="2.5", price_change_percent="1.2341"))
    assert await single.receive_json_from(timeout=5) == expected
    assert await every.receive_json_from(timeout=5) == [expected]


async def test_the_mini_ticker_event_and_the_all_market_array(connect: Connect) -> None:
    expected = {
        "e": "24hrMiniTicker",
        "E": T0,
        "s": "ETHUSDT",
        "c": "0.00000001",
        "o": "100.00000000",
        "h": "110.00000000",
        "l": "90.00000000",
        "v": "5.00000000",
        "q": "500.00000000",
    }
    single = await connect("/ws/ethusdt@miniTicker")
    every = await connect("/stream?streams=!miniTicker@arr")
    market_event_published(mini_ticker("0.00000001", symbol="ETHUSDT"))
    assert await single.receive_json_from(timeout=5) == expected
    assert await every.receive_json_from(timeout=5) == {
        "stream": "!miniTicker@arr",
        "data": [expected],
    }


async def test_amounts_keep_digits_beyond_binances_eight_places(connect: Connect) -> None:
    socket = await connect("/ws/btcusdt@kline_1m")
    market_event_published(kline("100.123456789"))
    frame = await socket.receive_json_from(timeout=5)
    assert Decimal(frame["k"]["c"]) == Decimal("100.123456789")
    assert frame["k"]["c"] == "100.123456789"


async def test_each_event_is_encoded_once_for_raw_and_once_for_combined_readers(
    connect: Connect, monkeypatch: pytest.MonkeyPatch
) -> None:
    encoded: list[Any] = []
    encode = formats.encode

    def counted(data: Any) -> Any:
        encoded.append(data)
        return encode(data)

    monkeypatch.setattr(publisher, "encode", counted)
    raw = [await connect("/ws/btcusdt@kline_1m") for _ in range(3)]
    combined = [await connect("/stream?streams=btcusdt@kline_1m") for _ in range(2)]
    market_event_published(kline("100.5"))
    raw_texts = {await socket.receive_from(timeout=5) for socket in raw}
    combined_texts = {await socket.receive_from(timeout=5) for socket in combined}
    assert len(raw_texts) == len(combined_texts) == 1
    (raw_text,) = raw_texts
    assert combined_texts == {'{"stream":"btcusdt@kline_1m","data":' + raw_text + "}"}
    assert [type(data) for data in encoded] == [dict, str]  # the payload, the stream's name


async def test_paperex_own_routes_are_unchanged(connect: Connect) -> None:
    assert application  # the routes below go through the whole application
    own = await connect("/stream/")
    await own.send_json_to({"action": "list"})
    assert await own.receive_json_from(timeout=5) == {"action": "list", "result": []}
    markets = await connect("/ws/markets/")
    assert (await markets.receive_json_from(timeout=5))["event"] == "mini_tickers"
