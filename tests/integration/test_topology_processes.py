"""The production topology across processes, on PostgreSQL and a Redis server of the module's own:
every role of the Procfile is its own process, started from the Procfile's command line (the web
role twice, on two ports), and what one process does reaches the others. Orders placed through
two web processes fill against each other in the engine process and each user hears of it on a
user stream of the other web process; a feed event reaches the stream clients of both; a job
submitted through a web process runs on the Celery worker; beat fires its due entry once; a bot
in the bots process trades. A failing test prints the tail of every role's output."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
import redis
from websockets.asyncio.client import ClientConnection, connect

from paperex.config.beat import LAST_RUNS_KEY
from paperex.support.async_tasks import cancel_and_wait
from tests.integration.servers import PAPEREX, demo_token, prepared_environment
from tests.support.network import unused_port
from tests.support.redis_server import redis_server
from tests.support.topology import ON_THE_TOPOLOGY, procfile_commands
from tests.support.waiting import async_wait_until, wait_until

pytestmark = ON_THE_TOPOLOGY
READY_SECONDS = 60
CANDLE_SECONDS = 90
"""The shortest bot interval is a minute: its first candle closes within one, then it decides."""
EXPIRE_ENTRY = "research-expire-backtests"
"""Beat's most frequent entry (every 10 minutes)."""
EXPIRY_RECEIVED = re.compile(r"Task research\.expire_backtests\[[^]]+\] received")
READY_SIGNS = {
    "engine": "engine ready",
    "feed": "Running feeds",
    "bots": "Running the live paper bots",
    "worker": " ready.",
    "beat": "beat leading",
}
EXCHANGE_MARKET = "ETHUSDT"
PREPARE = f"""
from datetime import timedelta
from django.utils import timezone
from paperex.apps.accounts.models import User
from paperex.apps.markets.models import Market
from paperex.apps.research.models import BacktestRun
from paperex.apps.trading.gateway.gateway import engine_gateway
from paperex.domain.commands import Deposit
from paperex.support.clock import wall_clock_ms

Market.objects.filter(symbol="{EXCHANGE_MARKET}").update(mode="EXCHANGE")
demo = User.objects.get(username="demo")
engine_gateway.fund(user_id=demo.pk, commands=[
    Deposit(timestamp=wall_clock_ms(), user_id=demo.pk, asset="ETH", amount=10**8)
])
stale = BacktestRun.objects.create(
    user=demo, status="running", started_at=timezone.now() - timedelta(days=1),
    request={{"source": {{"kind": "csv", "name": "stale.csv"}}, "strategy": "buy_and_hold",
             "parameters": {{}}, "execution": {{}}}},
)
print(stale.pk)
"""
"""Before any role starts: ETHUSDT made an EXCHANGE market (users trade only with each other,
so two users' orders meet each other rather than the feed's book), one ETH for the demo user to
sell, and a backtest that a lost worker left running a day ago (beat's expiry job fails it)."""


@dataclass
class Topology:
    logs: Path
    database: str
    redis_url: str
    webs: tuple[str, str]
    stale_backtest: int
    processes: dict[str, subprocess.Popen[bytes]]

    def log(self, role: str) -> str:
        return (self.logs / f"{role}.log").read_text(errors="replace")

    def tails(self, lines: int = 40) -> str:
        return "\n".join(
            f"--- {role} (last {lines} lines) ---\n"
            + "\n".join(self.log(role).splitlines()[-lines:])
            for role in self.processes
        )

    def running(self) -> None:
        """Fails when a role has exited."""
        ended = {role: p.returncode for role, p in self.processes.items() if p.poll() is not None}
        assert not ended, f"roles exited: {ended}"


def role_commands(web_ports: tuple[int, int]) -> dict[str, tuple[str, dict[str, str]]]:
    """Each process to start: its Procfile line and the variables it reads (two web roles)."""
    commands = procfile_commands()
    web = commands.pop("web")
    first, second = (
        {"WEB_HOST": "127.0.0.1", "WEB_PORT": str(p), "WEB_WORKERS": "1"} for p in web_ports
    )
    return {
        "web1": (web, first),
        "web2": (web, second),
        **{role: (line, {}) for role, line in commands.items()},
    }


def prepare(env: dict[str, str]) -> int:
    done = subprocess.run(
        [*PAPEREX, "manage", "shell", "-c", PREPARE],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return int(done.stdout.split()[-1])


def web_ready(url: str) -> bool:
    with contextlib.suppress(httpx.TransportError):
        return httpx.get(f"{url}/api/health/", timeout=3).status_code == 200
    return False


def stop(processes: dict[str, subprocess.Popen[bytes]]) -> None:
    """SIGTERM to each role's process group (Celery's pool is in its worker's), then SIGKILL to
    what is still there."""
    for process in processes.values():
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
    for process in processes.values():
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def topology(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Topology]:
    logs = tmp_path_factory.mktemp("topology")
    redis_port, web_ports = unused_port(), (unused_port(), unused_port())
    redis_url = f"redis://127.0.0.1:{redis_port}/0"
    with prepared_environment(logs / "data") as prepared, redis_server(redis_port):
        stale_backtest = prepare(prepared)
        # As a beat that stopped ten minutes ago left it: the entry is due on the first tick.
        with redis.Redis.from_url(redis_url) as client:
            last_run = datetime.now(UTC) - timedelta(seconds=601)
            client.hset(LAST_RUNS_KEY, EXPIRE_ENTRY, last_run.isoformat())
        env = {
            **prepared,
            "REDIS_URL": redis_url,
            "PAPEREX_RUN_ENGINE": "false",
            "PAPEREX_RUN_FEEDS": "false",
            "PAPEREX_RUN_BOTS": "false",
            "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]]),
        }
        processes: dict[str, subprocess.Popen[bytes]] = {}
        webs = (f"http://127.0.0.1:{web_ports[0]}", f"http://127.0.0.1:{web_ports[1]}")
        found = Topology(logs, env["DATABASE_URL"], redis_url, webs, stale_backtest, processes)
        try:
            for role, (line, variables) in role_commands(web_ports).items():
                with (logs / f"{role}.log").open("wb") as output:
                    processes[role] = subprocess.Popen(
                        ["/bin/sh", "-c", line],
                        env={**env, **variables},
                        stdout=output,
                        stderr=subprocess.STDOUT,
                        process_group=0,
                    )

            pending: list[str] = []

            def ready() -> bool:
                found.running()
                pending[:] = [
                    role for role, sign in READY_SIGNS.items() if sign not in found.log(role)
                ]
                pending.extend(url for url in webs if not web_ready(url))
                return not pending

            try:
                wait_until(ready, timeout=READY_SECONDS, interval=0.5, what="every role")
            except AssertionError as error:
                pytest.fail(f"{error}; still waiting for {pending}\n{found.tails()}")
            yield found
        finally:
            stop(processes)


@pytest.fixture(autouse=True)
def output_of_the_roles(topology: Topology) -> Iterator[None]:
    """The roles' output, which pytest shows beside a failing test's report."""
    yield
    print(topology.tails())


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def answered(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def signed_up_token(url: str, username: str) -> str:
    password = "cross-process-9271"
    answered(
        httpx.post(
            f"{url}/api/auth/register/",
            json={"username": username, "password": password, "email": f"{username}@example.com"},
            timeout=10,
        ),
        201,
    )
    token = answered(
        httpx.post(
            f"{url}/api/token/", json={"username": username, "password": password}, timeout=10
        )
    )
    return str(token["access"])


async def frames_until(
    socket: ClientConnection, wanted: Callable[[dict[str, Any]], bool], what: str
) -> dict[str, Any]:
    """The first frame ``wanted`` accepts; the ones before it are skipped."""

    async def receive() -> dict[str, Any]:
        while True:
            frame = json.loads(await socket.recv())
            if wanted(frame):
                return frame  # type: ignore[no-any-return]

    try:
        return await asyncio.wait_for(receive(), 20)
    except TimeoutError:
        pytest.fail(f"timed out after 20 s waiting for {what}")


def fill_of(order_id: int) -> Callable[[dict[str, Any]], bool]:
    return lambda frame: frame.get("event") == "fill" and frame["fill"]["order_id"] == order_id


def ws(url: str, path: str) -> str:
    return url.replace("http://", "ws://") + path


async def test_orders_through_two_web_processes_fill_and_each_user_stream_hears(
    topology: Topology,
) -> None:
    web1, web2 = topology.webs
    seller_token = await asyncio.to_thread(demo_token, web1)
    buyer_token = await asyncio.to_thread(signed_up_token, web2, "crossbuyer")
    order = {"symbol": EXCHANGE_MARKET, "type": "LIMIT", "price": "2000", "quantity": "0.01"}
    async with (
        connect(ws(web2, f"/ws/user/?token={seller_token}")) as seller_stream,
        connect(ws(web1, f"/ws/user/?token={buyer_token}")) as buyer_stream,
    ):
        for stream in (seller_stream, buyer_stream):
            await frames_until(stream, lambda f: f.get("event") == "connected", "connected")
        async with httpx.AsyncClient(timeout=30) as http:
            resting = answered(
                await http.post(
                    f"{web1}/api/orders/",
                    json={**order, "side": "SELL", "time_in_force": "GTC"},
                    headers=bearer(seller_token),
                ),
                201,
            )
            assert resting["status"] == "NEW"
            crossing = answered(
                await http.post(
                    f"{web2}/api/orders/",
                    json={**order, "side": "BUY", "time_in_force": "IOC"},
                    headers=bearer(buyer_token),
                ),
                201,
            )
        assert crossing["status"] == "FILLED"
        for stream, placed in ((seller_stream, resting), (buyer_stream, crossing)):
            fill = await frames_until(
                stream, fill_of(placed["id"]), f"a fill of order {placed['id']}"
            )
            assert Decimal(fill["fill"]["price"]) == Decimal("2000")
            assert Decimal(fill["fill"]["quantity"]) == Decimal("0.01")
            assert fill["fill"]["is_reference"] is False  # the other user's order, not the feed


async def collect_trade_ids(socket: ClientConnection, into: set[int]) -> None:
    """Subscribe ``socket`` to BTCUSDT's trades and add each trade's id to ``into``."""
    await socket.send(json.dumps({"action": "subscribe", "pair": "BTCUSDT", "stream": "trade"}))
    async for text in socket:
        frame = json.loads(text)
        if frame.get("event") == "trade":
            into.add(frame["trade_id"])


async def test_a_feed_trade_reaches_stream_clients_of_both_web_processes(
    topology: Topology,
) -> None:
    web1, web2 = topology.webs
    on_first: set[int] = set()
    on_second: set[int] = set()
    async with connect(ws(web1, "/stream/")) as first, connect(ws(web2, "/stream/")) as second:
        readers = [
            asyncio.create_task(collect_trade_ids(first, on_first)),
            asyncio.create_task(collect_trade_ids(second, on_second)),
        ]
        try:
            # The feed numbers its trades: one trade id on both is one event of the feed
            # process, delivered by each web process.
            await async_wait_until(lambda: on_first & on_second, timeout=20, what="a shared trade")
        finally:
            await cancel_and_wait(*readers)


BACKTEST_CSV = "time,close\n" + "".join(f"2025-01-{day:02d},{100 + day}\n" for day in range(1, 31))


def test_a_backtest_submitted_through_a_web_process_runs_on_the_worker(
    topology: Topology,
) -> None:
    web1, web2 = topology.webs
    headers = bearer(demo_token(web1))
    queued = answered(
        httpx.post(
            f"{web1}/api/backtests/",
            data={"strategy": "buy_and_hold"},
            files={"csv": ("prices.csv", io.BytesIO(BACKTEST_CSV.encode()), "text/csv")},
            headers=headers,
            timeout=30,
        ),
        202,
    )
    assert queued["status"] == "queued"

    def finished() -> dict[str, Any] | None:
        run = answered(
            httpx.get(f"{web2}/api/backtests/{queued['id']}/", headers=headers, timeout=10)
        )
        return run if run["status"] in ("done", "failed") else None

    run = wait_until(finished, timeout=30, interval=0.25, what="the backtest")
    assert run is not None
    assert run["status"] == "done", run["error"]
    assert run["bars"]["count"] == 30
    worker = topology.log("worker")
    assert "Task research.run_backtest[" in worker
    assert " succeeded in " in worker


def expiry_runs(topology: Topology) -> int:
    """The expiry jobs the worker received."""
    return len(EXPIRY_RECEIVED.findall(topology.log("worker")))


def test_beat_sends_its_due_entry_once_and_the_worker_runs_it(topology: Topology) -> None:
    def stale_status() -> tuple[str, str] | None:
        with psycopg.connect(topology.database) as db:
            row = db.execute(
                "SELECT status, error FROM research_backtestrun WHERE id = %s",
                [topology.stale_backtest],
            ).fetchone()
        return row if row and row[0] == "failed" else None

    expired = wait_until(stale_status, timeout=30, interval=0.25, what="the expiry job")
    assert expired is not None
    _, error = expired
    assert error.startswith("Cut off: no result after"), error
    time.sleep(2)  # eight more ticks of the leader (every 0.25 s): time for a second send
    assert expiry_runs(topology) == 1, topology.log("worker")
    with redis.Redis.from_url(topology.redis_url, decode_responses=True) as client:
        kept = client.hget(LAST_RUNS_KEY, EXPIRE_ENTRY)
    assert kept is not None  # for a successor to continue from
    assert datetime.now(UTC) - datetime.fromisoformat(str(kept)) < timedelta(minutes=5)


@dataclass
class StartedBot:
    id: int
    headers: dict[str, str]


@pytest.fixture(scope="module", autouse=True)
def started_bot(topology: Topology) -> StartedBot:
    """A bot of the demo user, started through a web process before the other tests run: it
    decides on the next closed one-minute candle (the shortest bot interval), up to a minute
    away, and the other tests run meanwhile."""
    headers = bearer(demo_token(topology.webs[0]))
    started = answered(
        httpx.post(
            f"{topology.webs[0]}/api/bots/",
            json={
                "symbol": "BTCUSDT",
                "interval": "1m",
                "strategy": "buy_and_hold",
                "allocation": "100",
            },
            headers=headers,
            timeout=10,
        ),
        201,
    )
    return StartedBot(started["id"], headers)


def test_a_bot_in_the_bots_process_trades(topology: Topology, started_bot: StartedBot) -> None:
    def traded() -> dict[str, Any] | None:
        bot = answered(
            httpx.get(
                f"{topology.webs[1]}/api/bots/{started_bot.id}/",
                headers=started_bot.headers,
                timeout=10,
            )
        )
        return bot if bot["orders_placed"] else None

    bot = wait_until(traded, timeout=CANDLE_SECONDS, interval=1, what="the bot's first order")
    assert bot is not None
    (order,) = bot["orders"]
    assert (order["side"], order["status"]) == ("BUY", "FILLED")
    assert order["client_order_id"] == f"bot{started_bot.id}-{bot['last_candle']}"
