"""Order entry through the real server: POST /api/orders/ from closed-loop keep-alive clients.

Starts ``paperex serve`` (embedded engine, no feed) on a free loopback port, on PostgreSQL when
DATABASE_URL is set (else SQLite in a temporary folder), registers one user per client, and
measures acknowledged (201) orders per second and latency for two server runs side by side:

- ``group commit``: the engine host as shipped (PAPEREX_ENGINE_MAX_BATCH=2048);
- ``batch size 1``: the same server committing every order in its own transaction, the
  straightforward one-transaction-per-order design, as the baseline.

Orders are non-crossing LIMIT buys (far below any price), so every one is stored and rests.

    .venv/bin/python bench/order_entry.py --clients 64 --seconds 10
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import itertools
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx

from _http_load import LoadResult, post_request, run_post_load
from _limits import add_limits_option, limits_env

PAPEREX = [sys.executable, "-m", "paperex.cli"]
PASSWORD = "bench-password-123"
SHIPPED_MAX_BATCH = 2048
"""The engine host's group commit as shipped (PAPEREX_ENGINE_MAX_BATCH's default)."""
MAKE_USERS = """
import django; django.setup()
from paperex.apps.accounts.models import User
from paperex.apps.accounts.services import user_register
for index in range({count}):
    name = f"bench-{{index}}"
    if not User.objects.filter(username=name).exists():
        user_register(username=name, password="{password}")
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def prepare(env: dict[str, str], clients: int) -> None:
    for command in ("migrate", "seed"):
        subprocess.run([*PAPEREX, command], env=env, check=True, capture_output=True)
    script = MAKE_USERS.format(count=clients, password=PASSWORD)
    subprocess.run([sys.executable, "-c", script], env=env, check=True)


def start_server(
    env: dict[str, str], port: int, *, feed: bool = False, seconds: float = 30
) -> subprocess.Popen[bytes]:
    """``paperex serve`` on ``port``, once it reports ready (within ``seconds``)."""
    arguments = ["serve", "--port", str(port), "--log-level", "warning"]
    process = subprocess.Popen(
        [*PAPEREX, *arguments, *([] if feed else ["--no-feed"])],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health/ready/", timeout=2).is_success:
                return process
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    process.kill()
    raise SystemExit(f"the server was not ready within {seconds:g} s")


def order_makers(port: int, clients: int) -> list[Callable[[], bytes]]:
    makers = []
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
        for index in range(clients):
            tokens = client.post(
                "/api/token/", json={"username": f"bench-{index}", "password": PASSWORD}
            ).json()
            makers.append(_maker(tokens["access"], random.Random(index)))
    return makers


def _maker(token: str, rng: random.Random) -> Callable[[], bytes]:
    counter = itertools.count()

    def make() -> bytes:
        next(counter)
        body = {
            "symbol": "BTCUSDT",
            "side": "BUY",
            "type": "LIMIT",
            "price": f"{rng.randint(1000, 2000)}.{rng.randint(0, 99):02d}",
            "quantity": "0.01",
        }
        return post_request("/api/orders/", json.dumps(body).encode(), token=token)

    return make


@contextlib.contextmanager
def serving(env: dict[str, str], max_batch: int) -> Iterator[tuple[int, int]]:
    """A ready server committing up to ``max_batch`` orders a transaction; yields its port and
    its process id."""
    port = free_port()
    server = start_server({**env, "PAPEREX_ENGINE_MAX_BATCH": str(max_batch)}, port)
    try:
        yield port, server.pid
    finally:
        server.terminate()
        server.wait(timeout=20)


def process_cpu_seconds(pid: int) -> float:
    """The CPU time (user and system) process ``pid`` has used so far (Linux's /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load(
    port: int,
    makers: list[Callable[[], bytes]],
    seconds: float,
    ok_status: bytes = b" 201 ",
    server_pid: int | None = None,
) -> LoadResult:
    """One client per maker for ``seconds``, after a second of warm-up; with ``server_pid``,
    the server's CPU time over the measured part too (its CPU per order is steadier than its
    throughput on a machine whose speed drifts)."""
    asyncio.run(run_post_load("127.0.0.1", port, makers, seconds=1, ok_status=ok_status))
    before = 0.0 if server_pid is None else process_cpu_seconds(server_pid)
    result = asyncio.run(
        run_post_load("127.0.0.1", port, makers, seconds=seconds, ok_status=ok_status)
    )
    if server_pid is None:
        return result
    return dataclasses.replace(result, server_cpu_seconds=process_cpu_seconds(server_pid) - before)


def measure(env: dict[str, str], clients: int, seconds: float, max_batch: int) -> LoadResult:
    with serving(env, max_batch) as (port, pid):
        return load(port, order_makers(port, clients), seconds, server_pid=pid)


def bench_env(limits: str) -> dict[str, str]:
    """This process's environment for a server of its own data folder, feeds off, as in
    production, with the limits of ``limits`` (``_limits``)."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "paperex.config.settings",
        "PAPEREX_DATA_DIR": str(Path(tempfile.mkdtemp(prefix="paperex-bench-"))),
        "PAPEREX_RUN_FEEDS": "false",
        "DEBUG": "false",  # as in production: no query log, no debug pages
        **limits_env(limits),
    }
    env.pop("PAPEREX_RUN_ENGINE", None)
    # One process with its engine in it: with Redis it would wait for the feed and engine roles.
    env.pop("REDIS_URL", None)
    return env


def database_of(env: dict[str, str]) -> str:
    return "postgresql" if env.get("DATABASE_URL", "").startswith("postgres") else "sqlite"


def print_table(first_column: str, results: dict[str, LoadResult]) -> None:
    print(
        f"{first_column:<14}{'orders/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}"
        f"{'server CPU µs/order':>21}"
    )
    for name, result in results.items():
        summary = result.summary()
        print(
            f"{name:<14}{summary['requests_per_s']:>10}{summary['p50_ms']:>9}"
            f"{summary['p99_ms']:>9}{summary['errors']:>8}{summary.get('server_cpu_us', '-'):>21}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=10)
    add_limits_option(parser)
    options = parser.parse_args()
    env = bench_env(options.limits)
    database = database_of(env)
    prepare(env, options.clients)
    results = {
        "group commit": measure(env, options.clients, options.seconds, SHIPPED_MAX_BATCH),
        "batch size 1": measure(env, options.clients, options.seconds, 1),
    }
    print(
        f"POST /api/orders/, {options.clients} clients, {options.seconds:g} s, {database}, "
        f"limits {options.limits}"
    )
    print_table("server", results)
    ours, baseline = results["group commit"], results["batch size 1"]
    print(
        json.dumps(
            {
                "bench": "order_entry",
                "database": database,
                "clients": options.clients,
                "limits": options.limits,
                "group_commit": ours.summary(),
                "batch_size_1": baseline.summary(),
                "ratio": round(ours.per_second / max(baseline.per_second, 1e-9), 2),
            }
        )
    )


if __name__ == "__main__":
    main()
