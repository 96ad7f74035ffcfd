"""``/stream/`` with Channels' WebsocketCommunicator (compat interface §1)."""

from __future__ import annotations

from typing import Any

import pytest
from channels.testing import WebsocketCommunicator

from paperex.apps.marketdata.runtime import runtime
from paperex.apps.streams.fanout.hub import hub
from paperex.domain import Side
from tests.support.market_events import T0, book, delta, kline, trade
from tests.support.waiting import async_wait_until

pytestmark = pytest.mark.django_db(transaction=True)


async def ask(socket: WebsocketCommunicator, request: dict[str, Any]) -> dict[str, Any]:
    await socket.send_json_to(request)
    return dict(await socket.receive_json_from(timeout=5))


async def test_subscribe_then_receive_trades_in_the_compat_shape(
    socket: WebsocketCommunicator,
) -> None:
    ack = await ask(socket, {"action": "subscribe", "pair": "BTCUSDT", "stream": "trade"})
    assert ack == {"action": "subscribe", "subscription": "BTCUSDT-trade", "result": True}
    hub.dispatch(trade("54718.1", "0.006", symbol="BTCUSDT", trade_id=7, aggressor=Side.SELL))
    hub.dispatch(trade("3000", symbol="ETHUSDT"))  # not subscribed
    frame = await socket.receive_json_from(timeout=5)
    assert frame == {
        "event": "trade",
        "event_time": T0,
        "symbol": "BTCUSDT",
        "price": 54718.1,
        "quantity": 0.006,
        "trade_time": T0,
        "market_maker": True,
        "ignore": None,
        "trade_id": 7,
    }
    assert await socket.receive_nothing(timeout=0.2)


async def test_prices_are_sent_with_their_exact_digits(socket: WebsocketCommunicator) -> None:
    await ask(socket, {"action": "subscribe", "pair": "BTCUSDT", "stream": "trade"})
    hub.dispatch(trade("0.10000001", "123456789.00000001", symbol="BTCUSDT"))
    text = await socket.receive_from(timeout=5)
    assert '"price":0.10000001' in text
    assert '"quantity":123456789.00000001' in text


@pytest.mark.parametrize(
    ("request_body", "error"),
    [
        ({"action": "subscribe", "pair": "DOGEUSDT", "stream": "trade"}, "Unknown pair"),
        ({"action": "subscribe", "pair": "BTCUSDT", "stream": "orders"}, "Unknown stream"),
        ({"action": "subscribe", "pair": "BTCUSDT", "stream": "kline_7m"}, "Unknown stream"),
        ({"action": "subscribe", "stream": "trade"}, "Unknown pair"),
    ],
)
async def test_bad_subscriptions_are_refused_with_a_reason(
    socket: WebsocketCommunicator, request_body: dict[str, Any], error: str
) -> None:
    answer = await ask(socket, request_body)
    assert answer["result"] is False
    assert error in answer["error"]


async def test_malformed_and_unknown_requests_get_error_frames_and_the_socket_stays(
    socket: WebsocketCommunicator,
) -> None:
    await socket.send_to(text_data="{not json")
    assert await socket.receive_json_from(timeout=5) == {"error": "Malformed JSON."}
    assert "Unknown action" in (await ask(socket, {"action": "dance"}))["error"]
    assert "JSON object" in (await ask(socket, [1, 2]))["error"]  # type: ignore[arg-type]
    await socket.send_to(text_data="x" * 10_000)
    assert "too long" in (await socket.receive_json_from(timeout=5))["error"]
    await socket.send_to(bytes_data=b"\x00\x01")
    assert "binary" in (await socket.receive_json_from(timeout=5))["error"]
    listed = await ask(socket, {"action": "list"})
    assert listed == {"action": "list", "result": []}


async def test_list_and_unsubscribe(socket: WebsocketCommunicator) -> None:
    await ask(socket, {"action": "subscribe", "pair": "btcusdt", "stream": "ticker"})
    await ask(socket, {"action": "subscribe", "pair": "AAPL", "stream": "kline_1m"})
    listed = await ask(socket, {"action": "list"})
    assert listed["result"] == ["AAPL-kline_1m", "BTCUSDT-ticker"]
    ack = await ask(socket, {"action": "unsubscribe", "pair": "AAPL", "stream": "kline_1m"})
    assert ack["result"] is True
    hub.dispatch(kline("101", symbol="AAPL"))
    # The next frame is the answer to this list, not that kline, from a socket still served.
    listed = await ask(socket, {"action": "list"})
    assert listed == {"action": "list", "result": ["BTCUSDT-ticker"]}


async def test_kline_stream(socket: WebsocketCommunicator) -> None:
    await ask(socket, {"action": "subscribe", "pair": "AAPL", "stream": "kline_1m"})
    hub.dispatch(kline("100.5", symbol="AAPL"))
    frame = await socket.receive_json_from(timeout=5)
    assert (frame["event"], frame["symbol"], frame["interval"]) == ("kline", "AAPL", "1m")
    assert (frame["close"], frame["closed"]) == (100.5, False)


async def test_a_kline_stream_starts_with_the_open_candle(socket: WebsocketCommunicator) -> None:
    runtime.state.apply(kline("101.5", symbol="MSFT"))
    ack = await ask(socket, {"action": "subscribe", "pair": "MSFT", "stream": "kline_1m"})
    assert ack["result"] is True
    frame = await socket.receive_json_from(timeout=5)
    assert (frame["event"], frame["symbol"], frame["interval"]) == ("kline", "MSFT", "1m")
    assert (frame["open_time"], frame["close"], frame["closed"]) == (T0, 101.5, False)
    await ask(socket, {"action": "subscribe", "pair": "MSFT", "stream": "kline_5m"})
    assert await socket.receive_nothing(timeout=0.2)  # no 5m candle is open


async def test_depth_starts_with_the_current_book_then_sequenced_diffs(
    socket: WebsocketCommunicator,
) -> None:
    runtime.state.apply(book(10, symbol="ETHUSDT"))
    await ask(socket, {"action": "subscribe", "pair": "ETHUSDT", "stream": "depth"})
    snapshot = await socket.receive_json_from(timeout=5)
    assert snapshot["event"] == "depth_snapshot"
    assert (snapshot["last_update_id"], snapshot["bids"]) == (10, [[99.5, 1]])
    hub.dispatch(delta(11, 12, symbol="ETHUSDT"))
    diff = await socket.receive_json_from(timeout=5)
    assert (diff["event"], diff["first_update_id"], diff["final_update_id"]) == ("depth", 11, 12)


async def test_a_flood_of_requests_is_limited_without_closing(
    socket: WebsocketCommunicator,
) -> None:
    for _ in range(40):
        await socket.send_json_to({"action": "list"})
    answers = [await socket.receive_json_from(timeout=5) for _ in range(40)]
    limited = [a for a in answers if "Too many messages" in a.get("error", "")]
    assert 10 <= len(limited) < 40

    # Still open and served: once the client slows down, a subscription is taken and its
    # trades arrive.
    async def subscribed() -> bool:
        answer = await ask(socket, {"action": "subscribe", "pair": "BTCUSDT", "stream": "trade"})
        return answer.get("result") is True

    await async_wait_until(subscribed, interval=0.05, what="a subscription after the flood")
    hub.dispatch(trade("1", symbol="BTCUSDT", trade_id=9))
    assert (await socket.receive_json_from(timeout=5))["trade_id"] == 9
