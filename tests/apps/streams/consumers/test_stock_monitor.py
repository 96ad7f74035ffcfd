"""``/ws/stocks/<ticker>/`` (compat interface §2)."""

from __future__ import annotations

import pytest
from channels.testing import WebsocketCommunicator

from paperex.apps.streams.price_monitors import price_monitors
from paperex.config.asgi import application
from tests.support.market_events import T0, trade

pytestmark = pytest.mark.django_db(transaction=True)


async def connect(ticker: str) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(application, f"/ws/stocks/{ticker}/")
    connected, _ = await communicator.connect()
    assert connected
    return communicator


async def test_without_a_price_the_monitor_says_so_instead_of_zero(seeded: None) -> None:
    socket = await connect("aapl")
    assert await socket.receive_json_from(timeout=5) == {"message": "Connected to AAPL WebSocket"}
    error = await socket.receive_json_from(timeout=5)
    assert error["ticker"] == "AAPL"
    assert "No price available" in error["error"]
    assert "price" not in error
    await socket.disconnect()


async def test_price_updates_carry_the_five_minute_average(seeded: None) -> None:
    price_monitors.observe(trade("150.00", time_ms=T0 - 200_000, symbol="AAPL"))
    socket = await connect("AAPL")
    await socket.receive_json_from(timeout=5)  # connected
    current = await socket.receive_json_from(timeout=5)
    assert current["price"] == 150.0
    price_monitors.observe(trade("150.75", time_ms=T0, symbol="AAPL"))
    update = await socket.receive_json_from(timeout=5)
    assert update == {
        "ticker": "AAPL",
        "price": 150.75,
        "timestamp": "2022-12-31 19:43:00",
        "moving_average_5min": 150.38,
    }
    await socket.disconnect()


async def test_a_two_percent_move_within_a_minute_raises_one_alert(seeded: None) -> None:
    socket = await connect("TSLA")
    await socket.receive_json_from(timeout=5)
    await socket.receive_json_from(timeout=5)  # no price yet
    observe = price_monitors.observe
    observe(trade("100.00", time_ms=T0, symbol="TSLA"))
    observe(trade("101.00", time_ms=T0 + 20_000, symbol="TSLA"))  # +1%: no alert
    observe(trade("102.13", time_ms=T0 + 40_000, symbol="TSLA"))  # +2.13% in the minute
    observe(trade("102.20", time_ms=T0 + 45_000, symbol="TSLA"))  # still up: no second alert
    frames = [await socket.receive_json_from(timeout=5) for _ in range(5)]
    alerts = [f for f in frames if "alert" in f]
    assert alerts == [
        {"ticker": "TSLA", "alert": "Stock price changed more than 2%!", "change_percent": 2.13}
    ]
    assert frames[3] == alerts[0]  # right after the price that caused it
    assert await socket.receive_nothing(timeout=0.2)
    await socket.disconnect()


async def test_a_move_spread_over_more_than_a_minute_is_no_alert(seeded: None) -> None:
    socket = await connect("MSFT")
    await socket.receive_json_from(timeout=5)
    await socket.receive_json_from(timeout=5)
    price_monitors.observe(trade("100.00", time_ms=T0, symbol="MSFT"))
    price_monitors.observe(trade("101.50", time_ms=T0 + 50_000, symbol="MSFT"))
    # +3% overall, +1.5% over the minute
    price_monitors.observe(trade("103.00", time_ms=T0 + 110_000, symbol="MSFT"))
    frames = [await socket.receive_json_from(timeout=5) for _ in range(3)]
    assert not [f for f in frames if "alert" in f]
    await socket.disconnect()


async def test_an_unknown_ticker_gets_an_error_and_is_closed(seeded: None) -> None:
    socket = await connect("NOPE")
    error = await socket.receive_json_from(timeout=5)
    assert error == {"ticker": "NOPE", "error": "Unknown ticker NOPE."}
    assert (await socket.receive_output(timeout=5))["code"] == 4004
