"""Chaos soak: the production topology under load while its processes are killed.

Starts every role as its own process on a PostgreSQL database and a Redis server of the
script's own (127.0.0.1 only): two web processes on two ports, and two processes of each
singleton (engine, feed, bots, beat: one leads, one stands by), one Celery worker. Clients (one
user each) place, cancel and read orders, retrying an unanswered order with its client order
id, as a bot would. They reach the web processes through a front proxy, as in the Compose file
(``_front_proxy.py``: the next process when one refuses, 503 when none answers). Every few
seconds the script kills (SIGKILL) a random role, the leader where a role has one, and starts it
again as a supervisor would; every few faults it restarts the Redis server or terminates every
PostgreSQL backend of the database instead. After each fault it measures the recovery: the time
until an order is acknowledged through each web process again and, for a killed singleton,
another process leads it (for the worker: the new one says it is ready).

At the end it checks, in the database: every acknowledged order stored exactly once, no fill
stored twice or beyond its order, every balance equal to its ledger; that every client was
answered after the last fault; and it prints the kills, the recovery times (p50/p99) per kind of
fault and the status codes the clients saw. Exit status 1 when a check fails.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/chaos.py --seconds 200 --clients 64 --every 4
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg

from _front_proxy import FrontProxy

REPOSITORY = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPOSITORY))  # the tests' database and Redis helpers

from tests.integration.servers import ADDRESS_LIMITS_OFF  # noqa: E402
from tests.support.databases import (  # noqa: E402
    balances_off_the_ledger,
    own_database,
    terminate_sessions,
)
from tests.support.network import unused_port  # noqa: E402
from tests.support.redis_server import redis_server  # noqa: E402

from paperex.apps.core.leadership import LOCK_KEYS  # noqa: E402

PAPEREX = [sys.executable, "-m", "paperex.cli"]
CELERY = [sys.executable, "-m", "celery", "-A", "paperex.config"]
PASSWORD = "chaos-password-123"
RECOVERY_LIMIT = 60.0
"""A fault not recovered from within this many seconds counts as not recovered."""
SINGLETONS = ("engine", "feed", "bots", "beat")
WORKER_READY = " ready."
"""What the Celery worker logs once it takes jobs."""
MAKE_USERS = """
import django; django.setup()
from paperex.apps.accounts.services import user_register
for index in range({count}):
    user_register(username=f"chaos-{{index}}", password="{password}")
"""
LEADER_SQL = (
    "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
    " WHERE l.locktype = 'advisory' AND l.granted AND l.objid = %s AND l.objsubid = 1"
    " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
)


@dataclass
class Role:
    """One process of a role, started again after each kill."""

    name: str
    argv: list[str]
    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("a") as output:
            self.process = subprocess.Popen(
                self.argv, env=self.env, stdout=output, stderr=subprocess.STDOUT
            )

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


@dataclass
class Clients:
    """What the clients saw."""

    statuses: collections.Counter[str] = field(default_factory=collections.Counter)
    acknowledged: list[tuple[str, str]] = field(default_factory=list)
    """(username, client order id) of every order answered 201."""
    last_answer: dict[int, float] = field(default_factory=dict)
    """Each client's latest 2xx/4xx answer (monotonic)."""


def environment(database: str, redis_url: str, data: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database,
        "REDIS_URL": redis_url,
        "PAPEREX_DATA_DIR": str(data),
        "DJANGO_SETTINGS_MODULE": "paperex.config.settings",
        "PAPEREX_RUN_ENGINE": "false",
        "PAPEREX_RUN_FEEDS": "false",
        "PAPEREX_RUN_BOTS": "false",
        **ADDRESS_LIMITS_OFF,  # every client comes from 127.0.0.1
    }


def topology(env: dict[str, str], logs: Path, web_ports: list[int]) -> dict[str, list[Role]]:
    """Every role's processes: web on two ports, two of each singleton, one Celery worker."""
    roles: dict[str, list[Role]] = {
        "web": [
            Role("web", [*PAPEREX, "serve", "--port", str(port)], env, logs / f"web-{port}.log")
            for port in web_ports
        ],
        "worker": [
            # INFO: the worker says when it is ready (WORKER_READY), which recovery waits for.
            Role("worker", [*CELERY, "worker", "-P", "solo", "-l", "INFO"], env, logs / "w.log")
        ],
    }
    commands = {
        "engine": [*PAPEREX, "engine"],
        "feed": [*PAPEREX, "feed"],
        "bots": [*PAPEREX, "bots"],
        "beat": [*CELERY, "beat"],
    }
    for name, argv in commands.items():
        roles[name] = [Role(name, argv, env, logs / f"{name}-{n}.log") for n in (1, 2)]
    return roles


def leader_pid(database: str, role: str) -> int | None:
    """The process leading ``role``, from its lock session's application_name."""
    low_bits = LOCK_KEYS[role] & 0xFFFFFFFF
    with psycopg.connect(database, autocommit=True) as db:
        row = db.execute(LEADER_SQL, [low_bits]).fetchone()
    # A session that holds the lock before it has named itself reads as no leader yet.
    _, colon, pid = (row[0] if row else "").rpartition(":")
    return int(pid) if colon and pid.isdigit() else None


async def token(client: httpx.AsyncClient, index: int) -> str:
    while True:
        with contextlib.suppress(httpx.HTTPError):
            answer = await client.post(
                "/api/token/", json={"username": f"chaos-{index}", "password": PASSWORD}
            )
            if answer.status_code == 200:
                return str(answer.json()["access"])
        await asyncio.sleep(0.5)


async def client_loop(index: int, url: str, seen: Clients, stop: asyncio.Event) -> None:
    """Place (mostly resting limit buys, some market buys), cancel and read orders."""
    rng = random.Random(index)
    async with httpx.AsyncClient(base_url=url, timeout=15) as http:
        headers = {"Authorization": f"Bearer {await token(http, index)}"}
        open_orders: list[int] = []
        count = 0
        while not stop.is_set():
            roll = rng.random()
            if roll < 0.15 and open_orders:
                order_id = open_orders.pop(rng.randrange(len(open_orders)))
                await request(http, "DELETE", f"/api/orders/{order_id}/", headers, index, seen)
            elif roll < 0.3 and open_orders:
                order_id = rng.choice(open_orders)
                await request(http, "GET", f"/api/orders/{order_id}/", headers, index, seen)
            else:
                count += 1
                client_order_id = f"chaos-{index}-{count}"
                market = roll > 0.9
                body: dict[str, Any] = {
                    "symbol": "BTCUSDT",
                    "side": "BUY",
                    "type": "MARKET" if market else "LIMIT",
                    "quantity": "0.0002" if market else "0.001",
                    "client_order_id": client_order_id,
                }
                if not market:
                    # Far enough below the synthetic market's ~60,000 to rest, within its band.
                    body |= {"price": str(rng.randint(15_000, 25_000)), "time_in_force": "GTC"}
                for _attempt in range(5):  # an unanswered order is sent again, same id
                    answer = await request(http, "POST", "/api/orders/", headers, index, seen, body)
                    if answer is not None and answer.status_code < 500:
                        break
                    await asyncio.sleep(0.5)
                if answer is not None and answer.status_code == 201:
                    seen.acknowledged.append((f"chaos-{index}", client_order_id))
                    if answer.json()["status"] == "NEW":
                        open_orders.append(int(answer.json()["id"]))
            await asyncio.sleep(rng.uniform(0.05, 0.2))


async def request(
    http: httpx.AsyncClient,
    method: str,
    path: str,
    headers: dict[str, str],
    index: int,
    seen: Clients,
    body: dict[str, Any] | None = None,
) -> httpx.Response | None:
    try:
        answer = await http.request(method, path, headers=headers, json=body)
    except httpx.HTTPError as error:
        seen.statuses[type(error).__name__] += 1
        return None
    seen.statuses[str(answer.status_code)] += 1
    if answer.status_code < 500:
        seen.last_answer[index] = time.monotonic()
    return answer


async def recovered(urls: list[str], tokens: list[str]) -> bool:
    """Whether an order is acknowledged through every web process now."""
    async with httpx.AsyncClient(timeout=5) as http:
        for url, bearer in zip(urls, tokens, strict=True):
            body = {
                "symbol": "BTCUSDT",
                "side": "BUY",
                "type": "LIMIT",
                "price": "15000",
                "quantity": "0.001",
                "time_in_force": "GTC",
            }
            try:
                answer = await http.post(
                    f"{url}/api/orders/", json=body, headers={"Authorization": f"Bearer {bearer}"}
                )
            except httpx.HTTPError:
                return False
            if answer.status_code != 201:
                return False
    return True


@contextlib.contextmanager
def running(roles: dict[str, list[Role]]) -> Iterator[None]:
    for processes in roles.values():
        for role in processes:
            role.start()
    try:
        yield
    finally:
        for processes in roles.values():
            for role in processes:
                role.stop()


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def check(database: str, seen: Clients) -> dict[str, int]:
    """What went wrong, counted: each must be 0."""
    with psycopg.connect(database) as db:
        stored = collections.Counter(
            (user, client_order_id)
            for user, client_order_id in db.execute(
                "SELECT u.username, o.client_order_id FROM trading_order o"
                " JOIN accounts_user u ON u.id = o.user_id WHERE u.username LIKE 'chaos-%%'"
            ).fetchall()
        )
        overfilled = db.execute(
            "SELECT count(*) FROM (SELECT o.id FROM trading_order o JOIN trading_fill f"
            " ON f.order_id = o.id GROUP BY o.id, o.quantity"
            " HAVING sum(f.quantity) > o.quantity) AS over"
        ).fetchone()
        duplicated = db.execute(
            "SELECT count(*) FROM (SELECT order_id, trade_id FROM trading_fill"
            " GROUP BY 1, 2 HAVING count(*) > 1) AS twice"
        ).fetchone()
    return {
        "acknowledged orders missing": sum(1 for key in seen.acknowledged if stored[key] == 0),
        "acknowledged orders stored twice": sum(1 for key in seen.acknowledged if stored[key] > 1),
        "fills duplicated": int(duplicated[0]) if duplicated else 0,
        "orders filled beyond their quantity": int(overfilled[0]) if overfilled else 0,
        "balances off their ledger": len(balances_off_the_ledger(database)),
    }


async def soak(options: argparse.Namespace, work: Path) -> int:
    rng = random.Random(options.seed)
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        print("chaos: needs DATABASE_URL naming PostgreSQL (the topology's database)")
        return 2
    redis_port, web_ports = unused_port(), [unused_port(), unused_port()]
    redis_url = f"redis://127.0.0.1:{redis_port}/0"
    with own_database(base) as database:
        redis_stack = contextlib.ExitStack()
        redis_stack.enter_context(redis_server(redis_port))
        env = environment(database, redis_url, work / "data")
        for command in ("migrate", "seed"):
            subprocess.run([*PAPEREX, command], env=env, check=True, capture_output=True)
        users = MAKE_USERS.format(count=options.clients + 2, password=PASSWORD)
        subprocess.run([sys.executable, "-c", users], env=env, check=True)
        roles = topology(env, work, web_ports)
        urls = [f"http://127.0.0.1:{port}" for port in web_ports]
        seen, stop = Clients(), asyncio.Event()
        try:
            with running(roles):
                probes = []
                for offset, url in enumerate(urls):
                    async with httpx.AsyncClient(base_url=url, timeout=10) as http:
                        probes.append(await token(http, options.clients + offset))
                if not await wait_recovered(urls, probes, 120):
                    print("chaos: the topology did not come up; see the logs in", work)
                    return 1
                async with FrontProxy(urls) as front:
                    clients = [
                        asyncio.create_task(client_loop(i, front.url, seen, stop))
                        for i in range(options.clients)
                    ]
                    faults = await fault_loop(
                        options, rng, roles, database, redis_stack, redis_port, urls, probes
                    )
                    # Every client must be answered again (a reconnect, a new token or the end
                    # of its retries may take a while after the last fault).
                    deadline = time.monotonic() + RECOVERY_LIMIT
                    while time.monotonic() < deadline and silent_clients(
                        seen, options, faults.last_fault
                    ):
                        await asyncio.sleep(0.2)
                    stop.set()
                    await asyncio.gather(*clients)
        finally:
            redis_stack.close()
        problems = check(database, seen)
    problems["clients not answered after the last fault"] = len(
        silent_clients(seen, options, faults.last_fault)
    )
    problems["faults not recovered from"] = sum(faults.unrecovered.values())
    report(faults.recoveries, seen, problems, options)
    return 1 if any(problems.values()) else 0


@dataclass
class Faults:
    """What the faults of a run did: seconds to recover by kind, kinds not recovered from, and
    when the last one struck."""

    recoveries: dict[str, list[float]] = field(
        default_factory=lambda: collections.defaultdict(list)
    )
    unrecovered: collections.Counter[str] = field(default_factory=collections.Counter)
    last_fault: float = 0.0


async def fault_loop(
    options: argparse.Namespace,
    rng: random.Random,
    roles: dict[str, list[Role]],
    database: str,
    redis_stack: contextlib.ExitStack,
    redis_port: int,
    urls: list[str],
    probes: list[str],
) -> Faults:
    """A fault every ``options.every`` seconds for ``options.seconds`` and until there were
    ``options.faults``, each followed by the wait for the topology to recover from it (at most
    ``RECOVERY_LIMIT``): a slow machine recovers more slowly, and still meets every kind."""
    started = time.monotonic()
    faults = Faults(last_fault=started)
    count = 0
    while time.monotonic() - started < options.seconds or count < options.faults:
        await asyncio.sleep(options.every)
        count += 1
        kind, back = inflict(count, rng, roles, database, redis_stack, redis_port)
        faults.last_fault = time.monotonic()
        if await wait_recovered(urls, probes, RECOVERY_LIMIT, back):
            faults.recoveries[kind].append(time.monotonic() - faults.last_fault)
        else:
            faults.unrecovered[kind] += 1
    return faults


def silent_clients(seen: Clients, options: argparse.Namespace, since: float) -> list[int]:
    """The clients with no answer (2xx or 4xx) since ``since``."""
    return [i for i in range(options.clients) if seen.last_answer.get(i, 0) < since]


async def wait_recovered(
    urls: list[str], tokens: list[str], limit: float, back: Callable[[], bool] = lambda: True
) -> bool:
    """Whether, within ``limit`` seconds, the role is ``back`` and orders are acknowledged
    through every web process again."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if back() and await recovered(urls, tokens):
            return True
        await asyncio.sleep(0.1)
    return False


def inflict(
    fault: int,
    rng: random.Random,
    roles: dict[str, list[Role]],
    database: str,
    redis_stack: contextlib.ExitStack,
    redis_port: int,
) -> tuple[str, Callable[[], bool]]:
    """Fault number ``fault``: a Redis restart every 7th, a PostgreSQL backend termination
    every 5th, otherwise a kill of a random role's process (the leader for a singleton). Returns
    its kind and whether the role is back, beyond order entry: a singleton has a leader again,
    the worker said it is ready again."""
    if fault % 7 == 0:
        redis_stack.close()
        redis_stack.enter_context(redis_server(redis_port))
        return "redis restart", lambda: True
    if fault % 5 == 0:
        terminate_sessions(database)
        return "postgres backends terminated", lambda: True
    name = rng.choice(["web", "engine", "feed", "worker", "bots", "beat"])
    processes = roles[name]
    victim = rng.choice(processes)
    if name in SINGLETONS:
        leader = leader_pid(database, name)
        victim = next((r for r in processes if r.process and r.process.pid == leader), victim)
    ready_before = victim.log.read_text().count(WORKER_READY)
    killed = victim.process.pid if victim.process else None
    victim.kill()
    victim.start()
    if name in SINGLETONS:
        return f"kill {name}", lambda: leader_pid(database, name) not in (None, killed)
    if name == "worker":
        return "kill worker", lambda: victim.log.read_text().count(WORKER_READY) > ready_before
    return f"kill {name}", lambda: True


def report(
    recoveries: dict[str, list[float]],
    seen: Clients,
    problems: dict[str, int],
    options: argparse.Namespace,
) -> None:
    kills = {kind: len(times) for kind, times in recoveries.items()}
    recovery = {
        kind: {
            "count": len(times),
            "p50_s": round(statistics.median(times), 2),
            "p99_s": round(percentile(times, 0.99), 2),
        }
        for kind, times in sorted(recoveries.items())
    }
    result = {
        "faults": sum(kills.values()) + problems["faults not recovered from"],
        "recovery": recovery,
        "statuses": dict(sorted(seen.statuses.items())),
        "orders acknowledged": len(seen.acknowledged),
        "problems": problems,
    }
    if options.json:
        print(json.dumps(result, indent=2))
        return
    print(f"\nfaults: {result['faults']}, orders acknowledged: {len(seen.acknowledged)}")
    print("\n| fault | count | recovery p50 s | p99 s |\n|---|---|---|---|")
    for kind, row in recovery.items():
        print(f"| {kind} | {row['count']} | {row['p50_s']} | {row['p99_s']} |")
    print("\n| status | count |\n|---|---|")
    for status, count in result["statuses"].items():  # type: ignore[attr-defined]
        print(f"| {status} | {count} |")
    print("\n| check | count |\n|---|---|")
    for name, count in problems.items():
        print(f"| {name} | {count} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=120, help="how long to inflict faults")
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--every", type=float, default=4, help="seconds between faults")
    parser.add_argument(
        "--faults",
        type=int,
        default=0,
        help="at least this many faults, however long the recoveries take (7 meets every kind)",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--logs", type=Path, help="keep the processes' logs in this folder")
    parser.add_argument("--json", action="store_true")
    options = parser.parse_args()
    with contextlib.ExitStack() as stack:
        if options.logs is None:
            import tempfile

            work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="chaos-")))
        else:
            work = options.logs
            work.mkdir(parents=True, exist_ok=True)
        sys.exit(asyncio.run(soak(options, work)))


if __name__ == "__main__":
    main()
