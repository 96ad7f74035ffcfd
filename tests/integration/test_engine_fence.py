"""Two `paperex engine` processes and one database: an engine paused (SIGSTOP) while its lock
connection is terminated and a second engine takes over commits nothing when it continues, and
exits non-zero so that its supervisor can see it. PostgreSQL, with a database and a Redis server
of the test's own."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest

from paperex.apps.trading.gateway.redis_client import RedisEngineClient
from paperex.apps.trading.protocol import EngineReply, EngineUnavailableError
from paperex.domain import OrderType, Side, TimeInForce
from paperex.domain.commands import PlaceOrder
from tests.integration.servers import PAPEREX, prepared_environment
from tests.support.databases import (
    ENGINE_LOCK_HOLDERS_SQL,
    ENGINE_LOCK_KEY_PARTS,
    balances_off_the_ledger,
)
from tests.support.network import unused_port
from tests.support.redis_server import NO_REDIS_SERVER, REDIS_SERVER, redis_server
from tests.support.threads import CheckedThread
from tests.support.waiting import wait_until

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(REDIS_SERVER is None, reason=NO_REDIS_SERVER),
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="the engine lock's connection is a PostgreSQL session (DATABASE_URL)",
    ),
]
ANSWER_SECONDS = 30


@contextlib.contextmanager
def engine_process(env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """`paperex engine`, once it serves commands; killed if still running at the end."""
    with log.open("w") as output:
        process = subprocess.Popen(
            [*PAPEREX, "engine"], env=env, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        wait_until(lambda: "engine ready" in log.read_text(), timeout=30, what=str(log))
        yield process
    finally:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGCONT)
            process.kill()
            process.wait(timeout=10)


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


def terminate_lock_holder(database: str) -> None:
    with psycopg.connect(database, autocommit=True) as db:
        [(pid,)] = db.execute(ENGINE_LOCK_HOLDERS_SQL, ENGINE_LOCK_KEY_PARTS).fetchall()
        db.execute("SELECT pg_terminate_backend(%s)", [pid])


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


def test_a_paused_engine_whose_lock_was_taken_over_commits_nothing(tmp_path: Path) -> None:
    port = unused_port()
    redis_url = f"redis://127.0.0.1:{port}/0"
    with (
        prepared_environment(tmp_path / "data") as prepared,
        redis_server(port),
    ):
        env = {**prepared, "REDIS_URL": redis_url}
        database = env["DATABASE_URL"]
        client = RedisEngineClient(redis_url)
        with engine_process(env, tmp_path / "first.log") as first:
            reply = client.execute_sync(demo_bid(database, "before"), timeout=ANSWER_SECONDS)
            assert reply.orders

            first.send_signal(signal.SIGSTOP)
            # Redis hands this command to the paused engine's waiting BRPOP.
            stale = CheckedThread(reply_or_none, client, demo_bid(database, "stale")).start()
            terminate_lock_holder(database)
            with engine_process(env, tmp_path / "second.log"):
                first.send_signal(signal.SIGCONT)
                assert first.wait(timeout=15) != 0
                stale_reply = stale.result(ANSWER_SECONDS + 5)
                assert stale_reply is None or not stale_reply.orders
                assert stored_orders(database, "stale") == 0
                after = client.execute_sync(demo_bid(database, "after"), timeout=ANSWER_SECONDS)
                assert after.orders
        first_log = (tmp_path / "first.log").read_text()
        assert "the engine stopped writing: another engine took over" in first_log, first_log
        assert stored_orders(database, "before") == stored_orders(database, "after") == 1
        assert balances_off_the_ledger(database) == []
