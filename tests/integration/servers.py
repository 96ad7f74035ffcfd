"""Real `paperex serve` processes for the integration tests, each with its own data folder."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.databases import own_database
from tests.support.network import unused_port

PAPEREX = [sys.executable, "-m", "paperex.cli"]
START_SECONDS = 90
"""A fresh server syncs a day of synthetic history first: 30 s was too short on a slow machine."""
COVERAGE_OF_SUBPROCESSES = "COVERAGE_PROCESS_CONFIG"
"""Set by coverage's subprocess patch while it measures the tests: a Python process started
with it in its environment is measured too."""


def unmeasured(env: dict[str, str]) -> dict[str, str]:
    """``env`` for a process that coverage leaves alone (one whose speed a test holds)."""
    return {name: value for name, value in env.items() if name != COVERAGE_OF_SUBPROCESSES}


ADDRESS_LIMITS_OFF = {
    f"PAPEREX_RATE_LIMIT_{name}": "off"
    for name in ("ADDRESS", "LOGIN_ADDRESS", "WS_CONNECTIONS", "REGISTRATIONS")
}
"""Every client of the suite's servers comes from 127.0.0.1, and with Redis the servers share
their counts: limits per address are off unless a test sets them."""


@contextlib.contextmanager
def prepared_environment(data_dir: Path) -> Iterator[dict[str, str]]:
    """This process's environment with its own data folder and, on PostgreSQL, a database of its
    own on the server the environment names; migrated and seeded. Limits per address are off
    (``ADDRESS_LIMITS_OFF``)."""
    env = {**os.environ, **ADDRESS_LIMITS_OFF, "PAPEREX_DATA_DIR": str(data_dir)}
    with own_database(env.get("DATABASE_URL", "")) as database_url:
        if database_url:
            env["DATABASE_URL"] = database_url
        for command in ("migrate", "seed"):
            subprocess.run(
                [*PAPEREX, command], env=env, check=True, capture_output=True, timeout=120
            )
        yield env


@contextlib.contextmanager
def running_server(env: dict[str, str], *arguments: str, ready: bool = True) -> Iterator[str]:
    """`paperex serve` on a free port until the block ends; yields its base URL once the
    server is ready (/api/health/ answers 200), or only answers when not ``ready``. Its output
    goes to a file (a pipe nobody reads would stall a server that logs every request)."""
    port = unused_port()
    with tempfile.TemporaryFile(mode="w+") as output:
        process = subprocess.Popen(
            [*PAPEREX, "serve", "--port", str(port), *arguments],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            text=True,
        )
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + START_SECONDS
        answer = "nothing"
        try:
            while True:
                if process.poll() is not None:
                    output.seek(0)
                    pytest.fail(f"server exited: {output.read()}")
                if time.monotonic() > deadline:
                    pytest.fail(f"server was not ready within {START_SECONDS} s: {answer}")
                try:
                    health = httpx.get(f"{url}/api/health/", timeout=3)
                    if health.status_code == 200 or not ready:
                        break
                    answer = health.text
                except httpx.TransportError:
                    pass
                time.sleep(0.1)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def demo_token(url: str) -> str:
    """An access token of the seeded demo user (funded with 100,000 USDT and USD)."""
    answer = httpx.post(
        f"{url}/api/token/", json={"username": "demo", "password": "demo12345"}, timeout=10
    )
    answer.raise_for_status()
    return str(answer.json()["access"])


CELERY_WORKER = [sys.executable, "-m", "celery", "-A", "paperex.config", "worker", "--pool", "solo"]


@contextlib.contextmanager
def jobs_worker(env: dict[str, str]) -> Iterator[None]:
    """With Redis in ``env`` a server hands its background jobs (backtests) to Celery: a worker
    of that environment until the block ends. Without Redis the server runs them itself."""
    if not env.get("REDIS_URL"):
        yield
        return
    worker = subprocess.Popen(
        [*CELERY_WORKER, "--without-heartbeat", "--without-gossip", "--without-mingle"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield
    finally:
        worker.terminate()
        worker.wait(timeout=30)
