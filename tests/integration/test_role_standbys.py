"""Two processes of the feed role, then of the bots role, a leader and its standby each: the
standby takes over within the failover bound when the leader is paused (SIGSTOP) and again when
the new leader is killed; a paused leader that continues stands by. For the feed, the market
data flows on the bus again each time (its publishing is fenced: tests/marketdata/
test_pipeline.py; the bots' decisions: tests/apps/research/test_bot_runner.py). PostgreSQL for
the lead, with a database and a Redis server of the test's own."""

from __future__ import annotations

import contextlib
import signal
import subprocess
import threading
import time
from pathlib import Path

import redis

from paperex.marketdata.bus import redis_channel
from tests.integration.servers import PAPEREX, prepared_environment
from tests.support.network import unused_port
from tests.support.processes import lines_saying, logged_process, seconds_until
from tests.support.redis_server import redis_server
from tests.support.topology import ON_THE_TOPOLOGY
from tests.support.waiting import wait_until

pytestmark = ON_THE_TOPOLOGY
FAILOVER_SECONDS = 5.0


class BusWatch:
    """When each market-data message arrived on the bus (monotonic seconds)."""

    def __init__(self, url: str) -> None:
        self.arrivals: list[float] = []
        self._pubsub = redis.Redis.from_url(url).pubsub()
        self._pubsub.subscribe(redis_channel(url))
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        while not self._stop.is_set():
            message = self._pubsub.get_message(ignore_subscribe_messages=True, timeout=0.2)
            if message is not None:
                self.arrivals.append(time.monotonic())

    def first_after(self, moment: float) -> float | None:
        return next((arrived for arrived in self.arrivals if arrived > moment), None)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


def role_process(
    env: dict[str, str], log: Path, role: str, sign: str
) -> contextlib.AbstractContextManager[subprocess.Popen[bytes]]:
    """`paperex ROLE`, once its log says ``sign``; killed if still running at the end."""
    return logged_process([*PAPEREX, role], env, log, sign=sign)


def test_a_standby_feed_takes_over_a_paused_then_a_killed_leader(tmp_path: Path) -> None:
    port = unused_port()
    url = f"redis://127.0.0.1:{port}/0"
    with prepared_environment(tmp_path / "data") as prepared, redis_server(port):
        env = {**prepared, "REDIS_URL": url, "PAPEREX_LEAD_SECONDS": "2"}
        bus = BusWatch(url)
        first_log, second_log = tmp_path / "first.log", tmp_path / "second.log"
        try:
            with (
                role_process(env, first_log, "feed", "feed leading") as first,
                role_process(env, second_log, "feed", "feed standby") as second,
            ):
                wait_until(lambda: bus.first_after(time.monotonic() - 1), what="market data")

                paused = time.monotonic()
                first.send_signal(signal.SIGSTOP)
                wait_until(lambda: bus.first_after(paused + 1), timeout=30, what="data again")
                resumed = bus.first_after(paused + 1)
                assert resumed is not None
                assert resumed - paused < FAILOVER_SECONDS
                assert "feed leading" in second_log.read_text()

                first.send_signal(signal.SIGCONT)
                wait_until(
                    lambda: "feed standby" in first_log.read_text(), what="the first stands by"
                )
                assert first.poll() is None

                killed = time.monotonic()
                second.kill()
                wait_until(
                    lambda: lines_saying(first_log, "feed leading") == 2,
                    timeout=30,
                    what="the first leads again",
                )
                wait_until(lambda: bus.first_after(killed + 1), timeout=30, what="data again")
                again = bus.first_after(killed + 1)
                assert again is not None
                assert again - killed < FAILOVER_SECONDS
        finally:
            bus.stop()


def test_a_standby_bots_process_takes_over_a_paused_then_a_killed_leader(tmp_path: Path) -> None:
    port = unused_port()
    with prepared_environment(tmp_path / "data") as prepared, redis_server(port):
        env = {**prepared, "REDIS_URL": f"redis://127.0.0.1:{port}/0", "PAPEREX_LEAD_SECONDS": "2"}
        first_log, second_log = tmp_path / "first.log", tmp_path / "second.log"
        with (
            role_process(env, first_log, "bots", "bots leading") as first,
            role_process(env, second_log, "bots", "bots standby") as second,
        ):
            paused = time.monotonic()
            first.send_signal(signal.SIGSTOP)
            assert seconds_until(second_log, "bots leading", paused) < FAILOVER_SECONDS
            first.send_signal(signal.SIGCONT)
            wait_until(lambda: "bots lost the lead" in first_log.read_text(), what="deposed")
            assert first.poll() is None

            killed = time.monotonic()
            second.kill()
            assert seconds_until(first_log, "bots leading", killed, times=2) < FAILOVER_SECONDS
