"""Binance's live requests on ``/ws`` and ``/stream``: replies, error frames and limits
(web-socket-streams.md, "Live Subscribing/Unsubscribing to streams")."""

from __future__ import annotations

from typing import Any

import pytest
from channels.testing import WebsocketCommunicator

from paperex.apps.binance.market_streams import consumers
from paperex.apps.streams.consumers import base
from paperex.apps.streams.fanout.hub import hub
from tests.apps.binance.market_streams.conftest import Connect

pytestmark = pytest.mark.django_db(transaction=True)


async def ask(socket: WebsocketCommunicator, request: Any) -> dict[str, Any]:
    await socket.send_json_to(request)
    return dict(await socket.receive_json_from(timeout=5))


async def test_subscribe_list_and_unsubscribe_answer_as_binance(connect: Connect) -> None:
    socket = await connect("/ws/0")  # ccxt.pro's way in: no stream yet
    assert await ask(socket, {"method": "LIST_SUBSCRIPTIONS", "id": 1}) == {"result": [], "id": 1}
    reply = await ask(
        socket,
        {"method": "SUBSCRIBE", "params": ["btcusdt@trade", "ETHUSDT@kline_1m"], "id": 2},
    )
    assert reply == {"result": None, "id": 2}
    assert await ask(socket, {"method": "LIST_SUBSCRIPTIONS", "id": "a3"}) == {
        "result": ["btcusdt@trade", "ethusdt@kline_1m"],
        "id": "a3",
    }
    assert hub.followed("binance:btcusdt@trade")
    reply = await ask(socket, {"method": "UNSUBSCRIBE", "params": ["btcusdt@trade"], "id": 4})
    assert reply == {"result": None, "id": 4}
    assert await ask(socket, {"method": "LIST_SUBSCRIPTIONS", "id": None}) == {
        "result": ["ethusdt@kline_1m"],
        "id": None,
    }
    assert not hub.followed("binance:btcusdt@trade")


async def test_streams_in_the_path_are_followed_from_the_start(connect: Connect) -> None:
    raw = await connect("/ws/btcusdt@aggTrade/ethusdt@depth5@100ms")
    combined = await connect("/stream?streams=btcusdt@trade/!miniTicker@arr")
    assert (await ask(raw, {"method": "LIST_SUBSCRIPTIONS", "id": 1}))["result"] == [
        "btcusdt@aggTrade",
        "ethusdt@depth5@100ms",
    ]
    assert (await ask(combined, {"method": "LIST_SUBSCRIPTIONS", "id": 1}))["result"] == [
        "!miniTicker@arr",
        "btcusdt@trade",
    ]
    assert hub.followed("binance+:btcusdt@trade")
    assert not hub.followed("binance:btcusdt@trade")


async def test_a_symbol_paperex_does_not_list_is_accepted_and_never_sends(
    connect: Connect,
) -> None:
    socket = await connect("/ws")
    reply = await ask(socket, {"method": "SUBSCRIBE", "params": ["dogeusdt@trade"], "id": 1})
    assert reply == {"result": None, "id": 1}


async def test_the_combined_property_switches_the_frames(connect: Connect) -> None:
    socket = await connect("/ws/btcusdt@ticker")
    assert await ask(socket, {"method": "GET_PROPERTY", "params": ["combined"], "id": 1}) == {
        "result": False,
        "id": 1,
    }
    reply = await ask(socket, {"method": "SET_PROPERTY", "params": ["combined", True], "id": 2})
    assert reply == {"result": None, "id": 2}
    assert hub.followed("binance+:btcusdt@ticker")
    assert not hub.followed("binance:btcusdt@ticker")
    assert (await ask(socket, {"method": "GET_PROPERTY", "params": ["combined"], "id": 3}))[
        "result"
    ] is True


@pytest.mark.parametrize(
    ("request_body", "code", "message"),
    [
        ({"params": ["btcusdt@trade"], "id": 1}, 2, "Invalid request: missing field `method`"),
        (
            {"method": "PING", "id": 1},
            2,
            "Invalid request: unknown variant `PING`, expected one of `SUBSCRIBE`, "
            "`UNSUBSCRIBE`, `LIST_SUBSCRIPTIONS`, `SET_PROPERTY`, `GET_PROPERTY`",
        ),
        (
            {"method": "SUBSCRIBE", "params": ["btcusdt@trades"], "id": 1},
            2,
            "Invalid request: invalid stream",
        ),
        (
            {"method": "SUBSCRIBE", "params": ["btcusdt@kline_7m"], "id": 1},
            2,
            "Invalid request: invalid stream",
        ),
        ({"method": "UNSUBSCRIBE", "params": [7], "id": 1}, 2, "Invalid request: invalid stream"),
        (
            {"method": "SUBSCRIBE", "params": "btcusdt@trade", "id": 1},
            2,
            "Invalid request: params must be an array of stream names",
        ),
        ({"method": "GET_PROPERTY", "params": ["merged"], "id": 1}, 0, "Unknown property"),
        (
            {"method": "GET_PROPERTY", "params": [1], "id": 1},
            2,
            "Invalid request: property name must be a string",
        ),
        (
            {"method": "GET_PROPERTY", "params": ["combined", True], "id": 1},
            2,
            "Invalid request: too many parameters",
        ),
        (
            {"method": "SET_PROPERTY", "params": ["combined", "yes"], "id": 1},
            1,
            "Invalid value type: expected Boolean",
        ),
    ],
)
async def test_refused_requests_get_binance_error_frames(
    connect: Connect, request_body: dict[str, Any], code: int, message: str
) -> None:
    socket = await connect("/ws")
    assert await ask(socket, request_body) == {"error": {"code": code, "msg": message}, "id": 1}
    assert await ask(socket, {"method": "LIST_SUBSCRIPTIONS", "id": 2}) == {
        "result": [],
        "id": 2,
    }


@pytest.mark.parametrize("request_id", [-1.5, True, "not-alphanumeric", "x" * 37, [1]])
async def test_an_id_binance_does_not_take_is_refused(connect: Connect, request_id: Any) -> None:
    socket = await connect("/ws")
    reply = await ask(socket, {"method": "LIST_SUBSCRIPTIONS", "id": request_id})
    assert reply == {
        "error": {"code": 2, "msg": "Invalid request: request ID must be an unsigned integer"},
        "id": None,
    }


async def test_malformed_json_is_code_3(connect: Connect) -> None:
    socket = await connect("/ws")
    await socket.send_to(text_data='{"method": "SUBSCRIBE",')
    reply = await socket.receive_json_from(timeout=5)
    assert reply["error"]["code"] == 3
    assert reply["error"]["msg"].startswith("Invalid JSON: ")
    assert reply["id"] is None


async def test_an_invalid_stream_in_the_path_is_refused_and_closed(connect: Connect) -> None:
    socket = await connect("/ws/btcusdt@nothing")
    assert await socket.receive_json_from(timeout=5) == {
        "error": {"code": 2, "msg": "Invalid request: invalid stream"},
        "id": None,
    }
    assert await socket.receive_output(timeout=5) == {
        "type": "websocket.close",
        "code": base.FLOODING_CLOSE_CODE,
    }


async def test_a_connection_follows_at_most_its_stream_limit(
    connect: Connect, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(consumers, "MAX_STREAMS", 2)
    socket = await connect("/ws/btcusdt@trade")
    reply = await ask(
        socket, {"method": "SUBSCRIBE", "params": ["btcusdt@ticker", "ethusdt@ticker"], "id": 1}
    )
    assert reply == {
        "error": {
            "code": 2,
            "msg": "Invalid request: too many streams, at most 2 a connection",
        },
        "id": 1,
    }
    assert await ask(socket, {"method": "SUBSCRIBE", "params": ["btcusdt@ticker"], "id": 2}) == {
        "result": None,
        "id": 2,
    }


async def test_more_than_5_messages_a_second_are_refused_and_a_flood_is_closed(
    connect: Connect,
) -> None:
    socket = await connect("/ws")
    sent = consumers.MESSAGES_PER_SECOND + base.REFUSALS_TOLERATED + 50
    for request_id in range(sent):
        await socket.send_json_to({"method": "LIST_SUBSCRIPTIONS", "id": request_id})
    frames = []
    while (output := await socket.receive_output(timeout=5))["type"] == "websocket.send":
        frames.append(output["text"])
    assert output == {"type": "websocket.close", "code": base.FLOODING_CLOSE_CODE}
    assert '"result":[]' in frames[0]
    told = [frame for frame in frames if "Too many messages: at most 5 a second." in frame]
    assert base.REFUSALS_TOLERATED <= len(told) < sent
    assert '"code":2' in told[0]
    assert "Closed for flooding" in frames[-1]
