"""A depth subscriber gets the current book first only while this process's book is in sync:
out of sync (a gap in update ids, or no snapshot yet) it gets no book until one arrives."""

from __future__ import annotations

from typing import Any

import pytest
from channels.testing import WebsocketCommunicator

from paperex.apps.marketdata.runtime import runtime
from paperex.config.asgi import application
from paperex.marketdata.events import Event
from tests.support.market_events import book, delta

pytestmark = pytest.mark.django_db(transaction=True)


async def frames_after_subscribing_to_depth(symbol: str) -> list[dict[str, Any]]:
    """What a new /stream/ socket receives after subscribing to ``symbol``'s depth, up to the
    answer to a ``list`` sent right after (frames to one socket keep their order)."""
    socket = WebsocketCommunicator(application, "/stream/")
    connected, _ = await socket.connect()
    assert connected
    try:
        await socket.send_json_to({"action": "subscribe", "pair": symbol, "stream": "depth"})
        await socket.send_json_to({"action": "list"})
        frames: list[dict[str, Any]] = []
        while not frames or frames[-1].get("action") != "list":
            frames.append(await socket.receive_json_from(timeout=5))
    finally:
        await socket.disconnect()
    return frames


@pytest.mark.parametrize(
    "book_events",
    [
        [delta(11, 12)],  # diffs only: the snapshot was never applied
        [book(10), delta(11, 12), delta(14, 15)],  # 13 is missing
    ],
    ids=["before-the-snapshot", "after-a-gap"],
)
async def test_no_book_is_sent_to_a_depth_subscriber_while_the_book_is_out_of_sync(
    seeded: None, book_events: list[Event]
) -> None:
    for event in book_events:
        runtime.state.apply(event)
    assert not runtime.state.of("BTCUSDT").book.in_sync
    frames = await frames_after_subscribing_to_depth("BTCUSDT")
    assert [frame.get("event") for frame in frames] == [None, None]  # the two answers
    assert frames[0]["result"] is True

    runtime.state.apply(book(20))
    frames = await frames_after_subscribing_to_depth("BTCUSDT")
    assert [frame.get("event") for frame in frames] == [None, "depth_snapshot", None]
    assert frames[1]["last_update_id"] == 20
