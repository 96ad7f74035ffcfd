from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from paperex.apps.marketdata.runtime import runtime
from paperex.apps.streams.consumers import base
from paperex.apps.streams.fanout.hub import FanoutHub, hub
from paperex.apps.streams.fanout.socket_writer import SocketWriter
from paperex.apps.streams.price_monitors import price_monitors
from paperex.marketdata.live_view import LiveMarketView


@pytest.fixture(autouse=True)
def fresh_hub_and_state() -> Iterator[FanoutHub]:
    """Each test starts with no subscriptions, no price history and an empty market state."""
    hub.clear()
    price_monitors.clear()
    saved_state, runtime.state = runtime.state, LiveMarketView()
    yield hub
    hub.clear()
    price_monitors.clear()
    runtime.state = saved_state


@pytest.fixture
def socket_writers(monkeypatch: pytest.MonkeyPatch) -> list[SocketWriter]:
    """The direct-path writers of the sockets the test opens, in the order they opened."""
    writers: list[SocketWriter] = []

    class RecordedWriter(SocketWriter):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            writers.append(self)

    monkeypatch.setattr(base, "SocketWriter", RecordedWriter)
    return writers
