"""`make up` from a fresh PostgreSQL database and a Redis server of the test's own: every role of
the Procfile comes up within 60 s, a market order placed through the web API fills, and SIGINT
(Ctrl-C) stops every role cleanly, leaving no process behind."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from celery import Celery

from tests.integration.servers import ADDRESS_LIMITS_OFF, demo_token
from tests.support.databases import own_database
from tests.support.network import unused_port
from tests.support.redis_server import redis_server
from tests.support.topology import ON_THE_TOPOLOGY, REPOSITORY, ROLES
from tests.support.waiting import wait_until

pytestmark = ON_THE_TOPOLOGY
READY_SECONDS = 60
STOP_SECONDS = 30
READY_SIGNS = {
    "web": "Uvicorn running",
    "engine": "engine ready",
    "feed": "Running feeds",
    "bots": "Running the live paper bots",
    "worker": " ready.",
    "beat": "beat: Starting",
}
"""What each role logs once it serves (beyond the checks through the API and the broker)."""
_LOG_LINE = re.compile(r"^\d\d:\d\d:\d\d (\S+?)(?:\.\d+)?\s+\| (.*)$")  # honcho's prefix
_VENV = Path(sys.prefix)
MAKE_UP = [
    "make",
    "--no-print-directory",
    "up",
    f"VENV={_VENV}",
    # The environment running the tests is installed and built already: make must not redo it.
    f"--assume-old={_VENV / '.installed'}",
    f"--assume-old={_VENV / '.engine-compiled'}",
    "--assume-old=src/paperex/apps/web/static/web/app.js",
]


class Topology:
    """`make up`'s output, read by role."""

    def __init__(self, log: Path) -> None:
        self.log = log

    def lines(self, role: str) -> list[str]:
        found = (_LOG_LINE.match(line) for line in self.log.read_text().splitlines())
        return [m[2] for m in found if m and m[1] == role]

    def said(self, role: str, text: str) -> bool:
        return any(text in line for line in self.lines(role))

    def pids(self) -> dict[str, int]:
        """Each role's process id, from honcho's ``started`` lines."""
        started = (re.match(r"(\w+)\.\d+ started \(pid=(\d+)\)", ln) for ln in self.lines("system"))
        return {m[1]: int(m[2]) for m in started if m}

    def stopped(self) -> dict[str, int]:
        """Each stopped role's exit status, from honcho's ``stopped`` lines."""
        ended = (re.match(r"(\w+)\.\d+ stopped \(rc=(-?\d+)\)", ln) for ln in self.lines("system"))
        return {m[1]: int(m[2]) for m in ended if m}


def processes_in_groups(groups: set[int]) -> list[str]:
    """The live processes (id, state, command line) whose process group is one of ``groups``;
    not the ones that have exited and wait for their parent, or init, to collect them."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError):  # it ended meanwhile
                if os.getpgid(int(entry)) in groups:
                    state = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[0]
                    command = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ")
                    if state != "Z":
                        found.append(f"{entry} {state} {command.decode(errors='replace')}")
    return found


def health(url: str) -> dict[str, Any] | None:
    with contextlib.suppress(httpx.TransportError):
        answer = httpx.get(f"{url}/api/health/ready/", timeout=5)
        if answer.status_code == 200:
            report: dict[str, Any] = answer.json()
            return report
    return None


def worker_answers(broker: str) -> bool:
    jobs = Celery(broker=broker)
    try:
        return bool(jobs.control.ping(timeout=1))
    finally:
        jobs.close()


@contextlib.contextmanager
def make_up(env: dict[str, str], log: Path) -> Iterator[tuple[subprocess.Popen[bytes], Topology]]:
    """`make up` in a process group of its own (as a terminal's foreground job); whatever is
    still running at the end is killed, the roles' own groups included."""
    with log.open("w") as output:
        make = subprocess.Popen(
            MAKE_UP,
            cwd=REPOSITORY,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            process_group=0,
        )
    topology = Topology(log)
    try:
        yield make, topology
    finally:
        for group in {make.pid, *topology.pids().values()}:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(group, signal.SIGKILL)
        make.wait(timeout=10)


def test_make_up_runs_every_role_fills_an_order_and_stops_on_sigint(tmp_path: Path) -> None:
    redis_port, web_port = unused_port(), unused_port()
    redis_url = f"redis://127.0.0.1:{redis_port}/0"
    url = f"http://127.0.0.1:{web_port}"
    with (
        own_database(os.environ["DATABASE_URL"]) as database_url,
        redis_server(redis_port),
    ):
        env = {
            **os.environ,
            **ADDRESS_LIMITS_OFF,
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "PAPEREX_DATA_DIR": str(tmp_path / "data"),
            "PORT": str(web_port),
            "WEB_WORKERS": "2",
        }
        with make_up(env, tmp_path / "up.log") as (make, topology):
            reports: list[dict[str, Any]] = []

            def waiting_for() -> list[str]:
                assert make.poll() is None, topology.log.read_text()
                silent = [
                    role for role, sign in READY_SIGNS.items() if not topology.said(role, sign)
                ]
                if silent:
                    return silent
                report = health(url)
                if report is not None:
                    reports.append(report)
                return [
                    *([] if report else ["web's /api/health/ready/"]),
                    *([] if worker_answers(redis_url) else ["worker's ping"]),
                ]

            try:
                wait_until(lambda: not waiting_for(), timeout=READY_SECONDS, interval=0.5)
            except AssertionError:
                pytest.fail(f"not ready within {READY_SECONDS} s: {', '.join(waiting_for())}")
            assert sorted(topology.pids()) == sorted(ROLES)
            # The ready answer itself: another request may reach the other web worker, which
            # may still be starting.
            components = reports[-1]["components"]
            # The web workers follow the feed role's market data and send orders to the engine
            # role; they run neither themselves.
            assert components["feed"]["running"] is False
            assert components["feed"]["markets_with_data"] > 0
            assert components["engine"]["ok"] is True

            headers = {"Authorization": f"Bearer {demo_token(url)}"}
            order = httpx.post(
                f"{url}/api/orders/",
                json={"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.001"},
                headers=headers,
                timeout=30,
            )
            assert order.status_code == 201, order.text
            assert order.json()["status"] == "FILLED"
            assert Decimal(order.json()["executed_quantity"]) == Decimal("0.001")
            account = httpx.get(f"{url}/api/account/", headers=headers, timeout=10).json()
            balances = {b["asset"]: Decimal(b["free"]) for b in account["balances"]}
            assert Decimal(0) < balances["BTC"] <= Decimal("0.001")  # less the taker fee

            roles = topology.pids()
            os.killpg(make.pid, signal.SIGINT)  # Ctrl-C: the foreground job's whole group
            make.wait(timeout=STOP_SECONDS)
            assert topology.said("system", "SIGINT received")
            assert topology.stopped() == dict.fromkeys(ROLES, 0), topology.log.read_text()
            groups = {make.pid, *roles.values()}
            try:  # a role's own children (web workers, Celery's pool) end with it
                wait_until(lambda: not processes_in_groups(groups), timeout=STOP_SECONDS)
            except AssertionError:
                pytest.fail(f"left running: {processes_in_groups(groups)}")
