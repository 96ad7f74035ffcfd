from __future__ import annotations

from collections.abc import Iterator

import pytest

from paperex.apps.marketdata.runtime import runtime
from paperex.apps.streams.fanout.hub import FanoutHub, hub
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
