"""How Paperex scales with web processes, against the single-process server, in one run.

Order entry (``--part orders``): ``--clients`` closed-loop keep-alive clients POST non-crossing
LIMIT buys to /api/orders/ (``order_entry``'s users, tokens and load) against

- ``single``: ``paperex serve`` with its embedded engine, no feed, no Redis: the baseline;
- ``engine + web xN``: one ``paperex engine`` and ``paperex serve --workers N`` (no engine, feed
  or bots in the web processes), the web workers sending orders to the engine over Redis.

Each row gives orders/s, p50, p99, the ratio to the baseline, and the CPU each role used over
the run in cores (psutil, process trees; PostgreSQL: the backends of the benchmark's database).
The role whose busiest process is nearest one full core saturates first.

Fan-out (``--part fanout``): ``--sockets`` WebSocket clients x 3 streams on ``--web`` server
processes, through ``fanout``'s servers, publisher and clients.

Needs PostgreSQL (DATABASE_URL, a database of the benchmark's own) and a redis-server binary
(or ``--redis-url``). Everything runs on 127.0.0.1 and stops by itself.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/scale_bench \\
        .venv/bin/python bench/scale.py --seconds 5
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import httpx
import psutil  # type: ignore[import-untyped]
import psycopg
import redis

sys.path.insert(0, str(Path(__file__).parent))
import fanout
from _http_load import LoadResult
from _limits import add_limits_option
from order_entry import PAPEREX, bench_env, free_port, load, order_makers, prepare

HOST = "127.0.0.1"
READY_SECONDS = 60
SPLIT_ROLES = {"PAPEREX_RUN_ENGINE": "false", "PAPEREX_RUN_FEEDS": "false"}
SPLIT_ROLES |= {"PAPEREX_RUN_BOTS": "false"}


# --- processes ------------------------------------------------------------------------------


@contextlib.contextmanager
def running(command: Sequence[str], env: dict[str, str]) -> Iterator[subprocess.Popen[bytes]]:
    """``command`` in a session of its own until the block ends, then stopped, its children
    with it."""
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=None, start_new_session=True
    )
    try:
        yield process
    finally:
        fanout.stop_server(process)


@contextlib.contextmanager
def own_redis(url: str | None) -> Iterator[str]:
    """``url``, else an empty redis-server of this run's own on a free port."""
    if url:
        yield url
        return
    binary = shutil.which("redis-server")
    if binary is None:
        raise SystemExit("needs a redis-server binary, or --redis-url")
    port = free_port()
    command = [binary, "--port", str(port), "--bind", HOST, "--save", "", "--appendonly", "no"]
    with running(command, os.environ.copy()) as server:
        client = redis.Redis(host=HOST, port=port)
        deadline = time.monotonic() + 10
        while True:
            with contextlib.suppress(redis.ConnectionError):
                if client.ping():
                    break
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit("redis-server did not answer within 10 s")
            time.sleep(0.05)
        client.close()
        yield f"redis://{HOST}:{port}/0"


def wait_for_engine(port: int, processes: Sequence[subprocess.Popen[bytes]]) -> None:
    """Until the engine answers through the web. Not ``ready`` as a whole: without a feed role
    the web processes on Redis report market data missing, and the engine its paper markets
    waiting for a reference price; neither refuses resting LIMIT orders."""
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        if any(process.poll() is not None for process in processes):
            raise SystemExit("a server process exited before it was ready")
        with contextlib.suppress(httpx.TransportError, ValueError):
            answer = httpx.get(f"http://{HOST}:{port}/api/health/ready/", timeout=5).json()
            engine = answer["components"]["engine"]
            # Answered: up, or up with its markets waiting for the missing feed's reference.
            if engine["ok"] or "markets_not_ready" in engine:
                return
        time.sleep(0.2)
    raise SystemExit(f"the engine did not answer through the web within {READY_SECONDS} s")


# --- CPU by role ----------------------------------------------------------------------------


def tree(pid: int) -> list[psutil.Process]:
    with contextlib.suppress(psutil.NoSuchProcess):
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    return []


def database_backends(database_url: str) -> list[psutil.Process]:
    with psycopg.connect(database_url) as db:
        rows = db.execute(
            "SELECT pid FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchall()
    found = []
    for (pid,) in rows:
        with contextlib.suppress(psutil.NoSuchProcess):
            found.append(psutil.Process(pid))
    return found


def cpu_seconds(process: psutil.Process) -> float:
    with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
        times = process.cpu_times()
        return float(times.user + times.system)
    return 0.0


def measure_with_cpu(
    run: Callable[[], LoadResult], roles: Callable[[], dict[str, list[psutil.Process]]]
) -> tuple[LoadResult, dict[str, dict[str, float]]]:
    """``run``'s result and each role's CPU over it: ``cores`` (all its processes) and
    ``busiest`` (its busiest process, in cores). Processes that appear during the run (new
    database backends) count from zero, those that end during it are not counted."""
    before = {p.pid: cpu_seconds(p) for group in roles().values() for p in group}
    started = time.monotonic()
    result = run()
    wall = time.monotonic() - started
    usage = {}
    for role, processes in roles().items():
        used = [max(0.0, cpu_seconds(p) - before.get(p.pid, 0.0)) / wall for p in processes]
        usage[role] = {"cores": round(sum(used), 2), "busiest": round(max(used, default=0), 2)}
    return result, usage


# --- order entry ----------------------------------------------------------------------------


def order_run(
    name: str,
    servers: Sequence[tuple[str, subprocess.Popen[bytes]]],
    port: int,
    env: dict[str, str],
    options: argparse.Namespace,
    redis_pid: int | None,
) -> dict[str, Any]:
    wait_for_engine(port, [process for _, process in servers])
    makers = order_makers(port, options.clients)

    def roles() -> dict[str, list[psutil.Process]]:
        found = {role: tree(process.pid) for role, process in servers}
        found["postgres"] = database_backends(env["DATABASE_URL"])
        if redis_pid is not None:
            found["redis"] = tree(redis_pid)
        found["client"] = [psutil.Process()]
        return found

    result, usage = measure_with_cpu(lambda: load(port, makers, options.seconds), roles)
    servers_only = {role: cpu for role, cpu in usage.items() if role != "client"}
    return {
        "topology": name,
        **result.summary(),
        "cpu": usage,
        "saturates": max(servers_only, key=lambda role: servers_only[role]["busiest"]),
    }


def measure_orders(options: argparse.Namespace) -> list[dict[str, Any]]:
    env = bench_env(options.limits)
    if not env.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("order entry across processes needs PostgreSQL: set DATABASE_URL")
    prepare(env, options.clients)
    port = free_port()
    serve = [*PAPEREX, "serve", "--host", HOST, "--port", str(port), "--log-level", "warning"]
    with running([*serve, "--no-feed"], env) as single:
        rows = [order_run("single", [("server", single)], port, env, options, None)]
    for workers in options.web:
        with own_redis(options.redis_url) as redis_url:
            split = {**env, **SPLIT_ROLES, "REDIS_URL": redis_url}
            redis_pid = None if options.redis_url else redis_pid_of(redis_url)
            with (
                running([*PAPEREX, "engine"], split) as engine,
                running([*serve, "--workers", str(workers)], split) as web,
            ):
                servers = [("engine", engine), ("web", web)]
                name = f"engine + web x{workers}"
                rows.append(order_run(name, servers, port, split, options, redis_pid))
    baseline = rows[0]["requests_per_s"]
    for row in rows:
        row["ratio"] = round(row["requests_per_s"] / max(baseline, 1e-9), 2)
    return rows


def redis_pid_of(url: str) -> int:
    client = redis.Redis.from_url(url)
    try:
        return int(client.info("server")["process_id"])
    finally:
        client.close()


# --- fan-out --------------------------------------------------------------------------------


def measure_fanout(options: argparse.Namespace) -> list[dict[str, Any]]:
    rows = []
    settings = argparse.Namespace(
        clients=options.sockets, client_processes=options.client_processes, drain=10
    )
    for workers in options.web:
        with (
            own_redis(options.redis_url) as redis_url,
            tempfile.TemporaryDirectory(prefix="paperex-bench-scale-") as data_dir,
        ):
            env = fanout.fanout_env(data_dir, redis_url, options.limits)
            symbols = fanout.seeded_symbols(env)[: options.markets]
            port = free_port()

            publish = functools.partial(
                fanout.publish_paperex, redis_url, symbols, options.rate, options.seconds
            )
            server = fanout.paperex_server(port, workers, env)
            result = fanout.measure("paperex", server, port, publish, settings, symbols)
            rows.append({"topology": f"web x{workers}", **result})
    return rows


# --- output ---------------------------------------------------------------------------------


def markdown(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def cpu_cell(row: dict[str, Any]) -> str:
    return ", ".join(
        f"{role} {cpu['cores']:.2f} (max {cpu['busiest']:.2f})" for role, cpu in row["cpu"].items()
    )


def report(results: dict[str, list[dict[str, Any]]], options: argparse.Namespace) -> str:
    parts = []
    if "orders" in results:
        parts.append(
            f"Order entry: {options.clients} clients, {options.seconds:g} s, PostgreSQL; "
            "CPU in cores over the run (max: the role's busiest process)\n"
        )
        headers = ["topology", "orders/s", "p50 ms", "p99 ms", "errors", "ratio", "saturates"]
        rows = [
            [
                *(r[key] for key in ("topology", "requests_per_s", "p50_ms", "p99_ms", "errors")),
                f"{r['ratio']:.2f}",
                r["saturates"],
            ]
            for r in results["orders"]
        ]
        parts.append(markdown(headers, rows))
        parts.append(
            "\n"
            + markdown(
                ["topology", "CPU"], [[r["topology"], cpu_cell(r)] for r in results["orders"]]
            )
        )
    if "fanout" in results:
        parts.append(
            f"\nFan-out: {options.sockets} WebSocket clients x {fanout.STREAMS_PER_CLIENT} "
            f"streams, {options.markets} markets, {options.rate:g} events/s, "
            f"{options.seconds:g} s\n"
        )
        headers = ["topology", "msgs/s", "p50 ms", "p99 ms", "lost", "closed", "server cpu"]
        keys = ["delivered_per_second", "p50_ms", "p99_ms", "lost", "clients_closed"]
        rows = [
            [r["topology"], *(r[key] for key in keys), r["server_cpu_cores"]]
            for r in results["fanout"]
        ]
        parts.append(markdown(headers, rows))
    return "\n".join(parts)


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=64, help="order entry clients")
    parser.add_argument("--seconds", type=float, default=5, help="per topology")
    parser.add_argument(
        "--web",
        type=lambda text: [int(n) for n in text.split(",")],
        default=[1, 2, 4],
        help="web process counts, e.g. 1,2,4",
    )
    parser.add_argument("--sockets", type=int, default=1000, help="fan-out WebSocket clients")
    parser.add_argument("--markets", type=int, default=10, help="fan-out markets")
    parser.add_argument("--rate", type=float, default=1000, help="fan-out events per second")
    parser.add_argument("--client-processes", type=int, default=2, help="fan-out clients")
    parser.add_argument("--part", choices=("orders", "fanout", "all"), default="all")
    parser.add_argument("--redis-url", help="a Redis to use (default: one of its own)")
    parser.add_argument("--json", action="store_true", help="print one JSON line at the end")
    add_limits_option(parser)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    options = parse(argv)
    results: dict[str, list[dict[str, Any]]] = {}
    if options.part in ("orders", "all"):
        results["orders"] = measure_orders(options)
    if options.part in ("fanout", "all"):
        results["fanout"] = measure_fanout(options)
    print(report(results, options))
    if options.json:
        print(json.dumps({"bench": "scale", "cores": os.cpu_count(), **results}))


if __name__ == "__main__":
    main()
