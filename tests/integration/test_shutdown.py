"""SIGTERM stops every role within 5 s, with clients connected, and exits 0; a server's workers
exit with their supervisor, even one that was killed. Each role is a real process; the Redis
server and the database are the test's own."""

from __future__ import annotations

import contextlib
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis
from websockets.sync.client import connect

from paperex.marketdata.bus import redis_channel
from tests.integration.servers import PAPEREX, prepared_environment
from tests.support.network import unused_port
from tests.support.redis_server import NO_REDIS_SERVER, REDIS_SERVER, redis_server
from tests.support.waiting import wait_until

pytestmark = pytest.mark.integration
STOP_SECONDS = 5
needs_redis = pytest.mark.skipif(REDIS_SERVER is None, reason=NO_REDIS_SERVER)


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    with prepared_environment(tmp_path_factory.mktemp("shutdown")) as prepared:
        yield prepared


@pytest.fixture
def redis_env(env: dict[str, str]) -> Iterator[dict[str, str]]:
    port = unused_port()
    with redis_server(port):
        yield {**env, "REDIS_URL": f"redis://127.0.0.1:{port}/0"}


@contextlib.contextmanager
def role(env: dict[str, str], log: Path, *arguments: str) -> Iterator[subprocess.Popen[bytes]]:
    """``paperex <arguments>`` with its output in ``log``; killed if still running at the end."""
    with log.open("w") as output:
        process = subprocess.Popen(
            [*PAPEREX, *arguments], env=env, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


def answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1).status_code == 200
    except httpx.TransportError:
        return False


def stopped_in_time(process: subprocess.Popen[bytes], log: Path) -> float:
    """Send SIGTERM; the seconds the process took to exit 0."""
    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    try:
        status = process.wait(timeout=STOP_SECONDS)
    except subprocess.TimeoutExpired:
        pytest.fail(f"still running {STOP_SECONDS} s after SIGTERM:\n{log.read_text()}")
    assert status == 0, log.read_text()
    return time.monotonic() - started


def workers_of(supervisor: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(supervisor)], capture_output=True, text=True)
    return [int(pid) for pid in found.stdout.split()]


def started_workers(supervisor: int, port: int) -> list[int]:
    """The worker processes of a ``serve --workers 2`` once it answers."""
    wait_until(lambda: answers(f"http://127.0.0.1:{port}/api/health/live/"), timeout=30)

    def both() -> list[int] | None:
        pids = workers_of(supervisor)
        return pids if len(pids) >= 2 else None

    return wait_until(both)


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ", 1)[1][0] != "Z"
    except FileNotFoundError:
        return False


def test_serve_stops_on_sigterm_with_a_client_streaming(
    env: dict[str, str], tmp_path: Path
) -> None:
    port = unused_port()
    log = tmp_path / "serve.log"
    with role(env, log, "serve", "--port", str(port)) as server:
        wait_until(lambda: answers(f"http://127.0.0.1:{port}/api/health/live/"), timeout=30)
        with connect(f"ws://127.0.0.1:{port}/ws/markets/") as stream:
            stream.recv(timeout=10)
            stopped_in_time(server, log)


@needs_redis
def test_engine_stops_on_sigterm(redis_env: dict[str, str], tmp_path: Path) -> None:
    log = tmp_path / "engine.log"
    with role(redis_env, log, "engine") as engine:
        wait_until(lambda: "engine ready" in log.read_text(), timeout=30)
        stopped_in_time(engine, log)


@needs_redis
def test_feed_stops_on_sigterm(redis_env: dict[str, str], tmp_path: Path) -> None:
    log = tmp_path / "feed.log"
    url = redis_env["REDIS_URL"]
    with (
        contextlib.closing(redis.Redis.from_url(url).pubsub()) as events,
        role(redis_env, log, "feed") as feed,
    ):
        events.subscribe(redis_channel(url))
        wait_until(
            lambda: events.get_message(ignore_subscribe_messages=True, timeout=0.1),
            timeout=30,
            what="the feed publishing",
        )
        stopped_in_time(feed, log)


@needs_redis
def test_workers_stop_with_their_supervisor_on_sigterm(
    redis_env: dict[str, str], tmp_path: Path
) -> None:
    port = unused_port()
    log = tmp_path / "serve.log"
    with role(redis_env, log, "serve", "--port", str(port), "--workers", "2") as server:
        workers = started_workers(server.pid, port)
        stopped_in_time(server, log)
        # A worker may still be tearing down (its memory gone) as the supervisor exits.
        wait_until(lambda: not any(alive(pid) for pid in workers), timeout=STOP_SECONDS)


@needs_redis
def test_workers_exit_when_their_supervisor_is_killed(
    redis_env: dict[str, str], tmp_path: Path
) -> None:
    port = unused_port()
    log = tmp_path / "serve.log"
    with role(redis_env, log, "serve", "--port", str(port), "--workers", "2") as server:
        workers = started_workers(server.pid, port)
        server.kill()
        server.wait(timeout=5)
        wait_until(
            lambda: not any(alive(pid) for pid in workers),
            timeout=STOP_SECONDS,
            what="the orphaned workers exited",
        )
