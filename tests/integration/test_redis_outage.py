"""`paperex engine` and `paperex feed` ride out a Redis restart (one that comes back empty): the
engine takes commands again by itself and the feed publishes trades and whole books again; each
says so once per outage and stops cleanly on SIGTERM afterwards. The Redis server is the test's
own."""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import redis

from paperex.apps.trading.gateway.redis_client import RedisEngineClient
from paperex.apps.trading.protocol import EngineUnavailableError
from paperex.domain.commands import CancelAllOrders
from paperex.marketdata.bus import redis_channel
from paperex.support.clock import wall_clock_ms
from tests.integration.servers import PAPEREX
from tests.support.network import unused_port
from tests.support.redis_server import NO_REDIS_SERVER, REDIS_SERVER, redis_server
from tests.support.waiting import wait_until

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(REDIS_SERVER is None, reason=NO_REDIS_SERVER),
]
RECOVERY_SECONDS = 15


def assert_each_outage_logged_once(log: str, *loops: str) -> None:
    """At most one outage logged for each loop (Redis's client may also ride out a restart that
    short by retrying itself), each with its end, and no traceback."""
    assert "Traceback" not in log, log
    for loop in loops:
        failures = log.count(f"{loop} failed")
        assert failures <= 1, log
        assert log.count(f"{loop} works again") == failures, log
    # The bus reader may still be waiting out its backoff when the test stops the process.
    assert log.count("market-data bus reader failed") <= 1, log


def answered(engine: RedisEngineClient) -> bool:
    """Whether the engine answers a command that changes nothing."""
    command = CancelAllOrders(timestamp=wall_clock_ms(), user_id=1, symbol=None)
    try:
        return engine.execute_sync(command, timeout=1).rejection_reason is None
    except EngineUnavailableError:
        return False


def embedded_environment(data_dir: Path) -> dict[str, str]:
    """This process's environment on a SQLite database of its own, migrated and seeded."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in {"DATABASE_URL", "REDIS_URL", "PAPEREX_FEED"}
    }
    env["PAPEREX_DATA_DIR"] = str(data_dir)
    for command in ("migrate", "seed"):
        subprocess.run([*PAPEREX, command], env=env, check=True, capture_output=True, timeout=120)
    return env


def test_the_engine_takes_commands_again_after_redis_comes_back_empty(tmp_path: Path) -> None:
    port = unused_port()
    url = f"redis://127.0.0.1:{port}/0"
    env = embedded_environment(tmp_path)
    log = tmp_path / "engine.log"
    engine_client = RedisEngineClient(url)
    with redis_server(port), log.open("w") as output:
        engine = subprocess.Popen(
            [*PAPEREX, "engine"],
            env={**env, "REDIS_URL": url},
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_until(lambda: "engine ready" in log.read_text(), timeout=30)
            assert answered(engine_client)
        except BaseException:
            engine.kill()
            raise
    try:
        with redis_server(port):  # Redis is back, and empty
            wait_until(lambda: answered(engine_client), timeout=RECOVERY_SECONDS)
            assert engine.poll() is None
            engine.terminate()
            assert engine.wait(timeout=5) == 0
    finally:
        if engine.poll() is None:
            engine.kill()
            engine.wait(timeout=10)
    assert_each_outage_logged_once(log.read_text(), "engine command consumer")


def bus_events(
    port: int, seconds: float, until: Callable[[dict[str, object]], bool] | None = None
) -> list[dict[str, object]]:
    """The market-data events published on the bus of Redis ``port`` for ``seconds``, or until
    one for which ``until`` is true."""
    client = redis.Redis(port=port)
    pubsub = client.pubsub(ignore_subscribe_messages=True)
    pubsub.subscribe(redis_channel(f"redis://127.0.0.1:{port}/0"))
    events: list[dict[str, object]] = []
    deadline = time.monotonic() + seconds
    try:
        while (left := deadline - time.monotonic()) > 0:
            message = pubsub.get_message(timeout=left)
            if message is not None:
                events.append(json.loads(message["data"]))
                if until is not None and until(events[-1]):
                    break
    finally:
        pubsub.close()
        client.close()
    return events


def test_the_feed_publishes_trades_and_whole_books_again_after_redis_comes_back(
    tmp_path: Path,
) -> None:
    port = unused_port()
    env = {**embedded_environment(tmp_path), "REDIS_URL": f"redis://127.0.0.1:{port}/0"}
    log = tmp_path / "feed.log"
    with redis_server(port), log.open("w") as output:
        feed = subprocess.Popen(
            [*PAPEREX, "feed", "--feed", "synthetic"],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            # The feed first stores a day of history, then trades.
            before = bus_events(port, seconds=30, until=lambda event: event["kind"] == "trade")
            assert any(event["kind"] == "trade" for event in before)
        except BaseException:
            feed.kill()
            raise
    try:
        with redis_server(port):  # Redis is back, and empty
            after = bus_events(port, seconds=RECOVERY_SECONDS)
            assert feed.poll() is None
            feed.terminate()
            assert feed.wait(timeout=5) == 0
    finally:
        if feed.poll() is None:
            feed.kill()
            feed.wait(timeout=10)
    kinds = [event["kind"] for event in after]
    assert "trade" in kinds
    assert "book_snapshot" in kinds  # a subscriber that missed deltas gets the books whole
    assert_each_outage_logged_once(log.read_text(), "market-data publishing")
