"""Two `paperex engine` processes and one database, a leader and its standby: the standby takes
over within the failover bound when the leader is paused (SIGSTOP) or killed; a paused leader
commits nothing when it continues, and stands by. PostgreSQL, with a database and a Redis server
of the test's own."""

from __future__ import annotations

import contextlib
import signal
import subprocess
import time
from decimal import Decimal
from pathlib import Path

import psycopg

from paperex.apps.trading.gateway.redis_client import RedisEngineClient
from paperex.apps.trading.protocol import (
    EngineReply,
    EngineUnavailableError,
)
from paperex.domain import OrderType, Side, TimeInForce
from paperex.domain.commands import PlaceOrder
from tests.integration.servers import PAPEREX, prepared_environment
from tests.support.databases import (
    ENGINE_LOCK_HOLDERS_SQL,
    ENGINE_LOCK_KEY_PARTS,
    balances_off_the_ledger,
)
from tests.support.network import unused_port
from tests.support.processes import logged_process, seconds_until
from tests.support.redis_server import redis_server
from tests.support.threads import CheckedThread
from tests.support.topology import ON_THE_TOPOLOGY
from tests.support.waiting import wait_until

pytestmark = ON_THE_TOPOLOGY
ANSWER_SECONDS = 10
LEAD_SECONDS = 2
FAILOVER_SECONDS = 5.0
"""The issue's bound: a standby answers orders this soon after its leader stopped."""


def engine_process(
    env: dict[str, str], log: Path, *, sign: str = "engine ready"
) -> contextlib.AbstractContextManager[subprocess.Popen[bytes]]:
    """`paperex engine`, once it said ``sign``; killed if still running at the end."""
    return logged_process([*PAPEREX, "engine"], env, log, sign=sign)


def demo_bid(database: str, client_order_id: str) -> PlaceOrder:
    """A small resting buy of BTC for the seeded demo user."""
    with psycopg.connect(database) as db:
        row = db.execute(
            "SELECT u.id, m.tick_size, m.step_size FROM accounts_user u, markets_market m"
            " WHERE u.username = 'demo' AND m.symbol = 'BTCUSDT'"
        ).fetchone()
    assert row is not None
    user_id, tick_size, step_size = row
    return PlaceOrder(
        timestamp=1,
        user_id=user_id,
        symbol="BTCUSDT",
        side=Side.BUY,
        order_type=OrderType.LIMIT,
        time_in_force=TimeInForce.GTC,
        price=int(Decimal(20000) / tick_size),
        quantity=int(Decimal("0.001") / step_size),
        client_order_id=client_order_id,
    )


def lock_holder(database: str) -> int | None:
    """The backend process holding the engine lock, if any."""
    with psycopg.connect(database, autocommit=True) as db:
        rows = db.execute(ENGINE_LOCK_HOLDERS_SQL, ENGINE_LOCK_KEY_PARTS).fetchall()
    return rows[0][0] if rows else None


def seconds_until_ready(log: Path, since: float, times_ready: int) -> float:
    """Seconds from ``since`` until ``log`` says "engine ready" the ``times_ready``-th time."""
    return seconds_until(log, "engine ready", since, times_ready)


def stored_orders(database: str, client_order_id: str) -> int:
    with psycopg.connect(database) as db:
        row = db.execute(
            "SELECT count(*) FROM trading_order WHERE client_order_id = %s", [client_order_id]
        ).fetchone()
    assert row is not None
    return int(row[0])


def reply_or_none(client: RedisEngineClient, command: PlaceOrder) -> EngineReply | None:
    """The engine's reply to ``command``, or None when none came in time."""
    try:
        return client.execute_sync(command, timeout=ANSWER_SECONDS)
    except EngineUnavailableError:
        return None


def test_a_standby_takes_over_a_paused_leader_which_commits_nothing_then_stands_by(
    tmp_path: Path,
) -> None:
    port = unused_port()
    redis_url = f"redis://127.0.0.1:{port}/0"
    with (
        prepared_environment(tmp_path / "data") as prepared,
        redis_server(port),
    ):
        env = {**prepared, "REDIS_URL": redis_url, "PAPEREX_LEAD_SECONDS": str(LEAD_SECONDS)}
        database = env["DATABASE_URL"]
        client = RedisEngineClient(redis_url)
        first_log, second_log = tmp_path / "first.log", tmp_path / "second.log"
        with (
            engine_process(env, first_log) as first,
            engine_process(env, second_log, sign="engine standby") as second,
        ):
            reply = client.execute_sync(demo_bid(database, "before"), timeout=ANSWER_SECONDS)
            assert reply.orders
            leader = lock_holder(database)

            paused = time.monotonic()
            first.send_signal(signal.SIGSTOP)
            # Redis hands this command to the paused engine's waiting BRPOP.
            stale = CheckedThread(reply_or_none, client, demo_bid(database, "stale")).start()
            assert seconds_until_ready(second_log, paused, 1) < FAILOVER_SECONDS
            assert lock_holder(database) not in (None, leader)
            after = client.execute_sync(demo_bid(database, "after"), timeout=ANSWER_SECONDS)
            assert after.orders

            first.send_signal(signal.SIGCONT)
            stale_reply = stale.result(ANSWER_SECONDS + 5)
            assert stale_reply is None or not stale_reply.orders
            wait_until(lambda: "engine standby" in first_log.read_text(), what="first stands by")
            assert first.poll() is None
            assert stored_orders(database, "stale") == 0

            # And back: the first engine, a standby now, takes over from a killed leader.
            killed = time.monotonic()
            second.kill()
            assert seconds_until_ready(first_log, killed, 2) < FAILOVER_SECONDS
            again = client.execute_sync(demo_bid(database, "again"), timeout=ANSWER_SECONDS)
            assert again.orders
        log = first_log.read_text()
        assert "the engine stopped writing: another engine took over" in log, log
        for placed in ("before", "after", "again"):
            assert stored_orders(database, placed) == 1
        assert balances_off_the_ledger(database) == []
