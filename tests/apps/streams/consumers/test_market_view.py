"""``/ws/markets/`` and ``/ws/markets/<symbol>/``."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from paperex.apps.marketdata.runtime import runtime
from paperex.apps.markets.services import candles_upsert
from paperex.apps.streams.fanout.hub import hub
from paperex.config.asgi import application
from tests.support.market_events import book, delta, kline, mini_ticker, trade

pytestmark = pytest.mark.django_db(transaction=True)


async def connect(path: str) -> WebsocketCommunicator:
    socket = WebsocketCommunicator(application, path)
    connected, _ = await socket.connect()
    assert connected
    return socket


async def test_all_markets_snapshot_then_live_mini_tickers(seeded: None) -> None:
    runtime.state.apply(mini_ticker("105", symbol="BTCUSDT"))
    socket = await connect("/ws/markets/")
    snapshot = await socket.receive_json_from(timeout=5)
    assert snapshot["event"] == "mini_tickers"
    assert [(t["symbol"], t["close"]) for t in snapshot["tickers"]] == [("BTCUSDT", 105)]
    hub.dispatch(mini_ticker("99.5", symbol="AAPL"))
    update = await socket.receive_json_from(timeout=5)
    assert (update["event"], update["symbol"], update["close"]) == ("mini_ticker", "AAPL", 99.5)
    await socket.disconnect()


async def test_market_view_snapshot_then_candles_trades_and_sequenced_book(
    seeded: None,
) -> None:
    stored = kline("100.25", symbol="ETHUSDT")
    await sync_to_async(candles_upsert)(klines=[stored])
    runtime.state.apply(book(20, symbol="ETHUSDT"))
    runtime.state.apply(trade("100.5", symbol="ETHUSDT"))
    socket = await connect("/ws/markets/ethusdt/")
    snapshot = await socket.receive_json_from(timeout=5)
    assert snapshot["event"] == "snapshot"
    assert snapshot["symbol"] == "ETHUSDT"
    assert [c["close"] for c in snapshot["candles"]] == ["100.25"]
    assert snapshot["book"]["last_update_id"] == 20
    assert snapshot["book"]["bids"] == [[99.5, 1]]
    assert [t["price"] for t in snapshot["trades"]] == [100.5]

    hub.dispatch(kline("101", symbol="ETHUSDT"))
    hub.dispatch(trade("101", symbol="ETHUSDT"))
    hub.dispatch(delta(21, 22, symbol="ETHUSDT"))
    hub.dispatch(trade("60000", symbol="BTCUSDT"))  # another market
    frames = [await socket.receive_json_from(timeout=5) for _ in range(3)]
    assert [f["event"] for f in frames] == ["kline", "trade", "depth"]
    assert (frames[2]["first_update_id"], frames[2]["final_update_id"]) == (21, 22)
    assert await socket.receive_nothing(timeout=0.2)
    await socket.disconnect()


async def test_an_unknown_market_view_is_refused(seeded: None) -> None:
    socket = await connect("/ws/markets/NOPE/")
    assert "Unknown market" in (await socket.receive_json_from(timeout=5))["error"]
    assert (await socket.receive_output(timeout=5))["code"] == 4004
