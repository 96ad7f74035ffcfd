"""A Redis server of a test's own, on a port of its choosing: fault tests kill and restart it,
which they must never do to the shared one."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from collections.abc import Iterator

import redis

from tests.support.network import unused_port
from tests.support.waiting import wait_until

REDIS_SERVER = shutil.which("redis-server")
NO_REDIS_SERVER = (
    "needs a redis-server binary to start a Redis of its own (install Debian's redis-server)"
)
NO_REDIS = "needs Redis: set REDIS_URL, or install redis-server and the tests start their own"


@contextlib.contextmanager
def redis_server(port: int) -> Iterator[None]:
    """An empty Redis on ``port`` until the block ends, then killed (nothing saved)."""
    assert REDIS_SERVER is not None
    process = subprocess.Popen(
        [
            REDIS_SERVER,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = redis.Redis(port=port, socket_connect_timeout=1)

    def answers() -> bool:
        with contextlib.suppress(redis.RedisError):
            return bool(client.ping())
        return False

    try:
        wait_until(answers, timeout=10)
        yield
    finally:
        client.close()
        process.kill()
        process.wait(timeout=10)


@contextlib.contextmanager
def redis_for_tests() -> Iterator[str | None]:
    """The URL of a Redis the tests may use: REDIS_URL's when set, else one of their own on a
    free port while a redis-server binary is installed, else None."""
    if url := os.environ.get("REDIS_URL"):
        yield url
    elif REDIS_SERVER is None:
        yield None
    else:
        port = unused_port()
        with redis_server(port):
            yield f"redis://127.0.0.1:{port}/0"
