"""``bench/binance_api.py`` in a tiny bounded run: its server takes every lane's orders (signed
``POST /api/v3/order`` answered FULL and ACK, and ``POST /api/orders/``) without one refusal, so
that the figures it prints measure orders placed, not errors."""

from __future__ import annotations

import argparse
import importlib
from pathlib import Path
from types import ModuleType

import pytest

from tests.support.databases import own_database

pytestmark = pytest.mark.integration
BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.fixture
def binance_api(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """The benchmark module, imported as its script imports its neighbours."""
    monkeypatch.syspath_prepend(str(BENCH))
    return importlib.import_module("binance_api")


def test_every_lane_places_orders_and_none_is_refused(
    binance_api: ModuleType, tmp_path: Path
) -> None:
    env = {**binance_api.bench_env("on"), "PAPEREX_DATA_DIR": str(tmp_path)}
    with own_database(env.get("DATABASE_URL", "")) as database_url:
        if database_url:
            env["DATABASE_URL"] = database_url
        binance_api.prepare(env, 2)
        results = binance_api.measure(env, clients=2, seconds=0.3, rounds=2)
    assert list(results) == ["native", "binance FULL", "binance ACK"]
    for lane, result in results.items():
        assert (result.requests > 0, result.errors) == (True, 0), lane
        assert result.server_cpu_seconds > 0, lane  # the server's, measured over each lane


def test_binance_stream_clients_get_every_event(binance_api: ModuleType, redis_url: str) -> None:
    options = argparse.Namespace(
        redis_url=redis_url,
        limits="on",
        stream_markets=2,
        stream_clients=20,
        client_processes=1,
        drain=10,
        workers=1,
        stream_rate=50,
        stream_seconds=1,
    )
    result = binance_api.stream_fanout(options)
    # Every client follows all three streams of its market: each event reaches its market's ten.
    assert (result["clients"], result["events_sent"]) == (20, 50)
    assert result["delivered"] == result["expected"] == 50 * 10
    assert (result["lost"], result["clients_closed"]) == (0, 0)
    assert binance_api.stream_goals(result)["none_lost"]


def test_each_lane_runs_first_second_and_last_once_in_three_rounds(
    binance_api: ModuleType,
) -> None:
    names = ["native", "binance FULL", "binance ACK"]
    orders = [binance_api.lanes_in_turn(names, number) for number in range(3)]
    assert orders[0] == names
    for position in range(3):
        assert sorted(order[position] for order in orders) == sorted(names)
