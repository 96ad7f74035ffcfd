"""A client that keeps on flooding after being told is closed; a connection follows a bounded
number of streams."""

from __future__ import annotations

import pytest
from channels.testing import WebsocketCommunicator

from paperex.apps.streams.consumers import base, market_stream

pytestmark = pytest.mark.django_db(transaction=True)


async def test_a_client_that_floods_on_after_being_told_is_closed_with_1008(
    socket: WebsocketCommunicator,
) -> None:
    sent = base.MESSAGES_PER_SECOND + base.REFUSALS_TOLERATED + 50
    for _ in range(sent):
        await socket.send_json_to({"action": "list"})
    frames = []
    while (output := await socket.receive_output(timeout=5))["type"] == "websocket.send":
        frames.append(output["text"])
    assert output == {"type": "websocket.close", "code": base.FLOODING_CLOSE_CODE}
    told = [frame for frame in frames if "Too many messages" in frame]
    assert base.REFUSALS_TOLERATED <= len(told) < sent
    assert "Closed for flooding" in frames[-1]


async def test_a_burst_a_little_over_the_rate_is_told_and_stays_open(
    socket: WebsocketCommunicator,
) -> None:
    for _ in range(base.MESSAGES_PER_SECOND * 2):
        await socket.send_json_to({"action": "list"})
    answers = [await socket.receive_json_from(timeout=5) for _ in range(40)]
    assert any("Too many messages" in answer.get("error", "") for answer in answers)
    assert await socket.receive_nothing(timeout=0.2)  # no close frame either


async def test_a_connection_follows_at_most_its_subscription_limit(
    socket: WebsocketCommunicator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(market_stream, "MAX_SUBSCRIPTIONS", 2)
    answers = []
    for stream in ("trade", "ticker", "depth", "trade"):
        await socket.send_json_to({"action": "subscribe", "pair": "BTCUSDT", "stream": stream})
        answers.append(await socket.receive_json_from(timeout=5))
    assert [answer["result"] for answer in answers] == [True, True, False, True]
    assert answers[2]["error"] == "Too many subscriptions: at most 2."
