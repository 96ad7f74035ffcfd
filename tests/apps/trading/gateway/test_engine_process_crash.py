"""Kill the real engine process (SIGKILL) while orders flow over Redis, restart it, reconcile."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from decimal import Decimal

import pytest
import redis
from django.db import connection

from paperex.apps.accounts.services import user_register
from paperex.apps.markets.models import Market
from paperex.apps.trading.catalog import catalog_read
from paperex.apps.trading.gateway.redis_client import RedisEngineClient
from paperex.apps.trading.host.fee_account import fee_account_ensure
from paperex.apps.trading.host.recovery import engine_restore
from paperex.apps.trading.models import Fill, Order, Trade
from paperex.apps.trading.protocol import COMMANDS_KEY, EngineUnavailableError
from paperex.domain import Side
from paperex.domain.commands import Deposit, PlaceOrder
from paperex.support.clock import wall_clock_ms
from tests.support.ledger import assert_balances_equal_ledger
from tests.support.threads import CheckedThread
from tests.support.waiting import wait_until

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="the crash test needs PostgreSQL (DATABASE_URL): the engine runs in its own "
        "process on the test database",
    ),
]
ENGINE = (
    "import django; django.setup(); "
    "from paperex.apps.trading.gateway.process import run_engine_process; run_engine_process()"
)


def start_engine(redis_url: str) -> subprocess.Popen[str]:
    """`paperex engine` on the test database, returned once it serves commands."""
    database = connection.settings_dict
    url = f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "paperex.config.settings",
        "DATABASE_URL": url,
        "REDIS_URL": redis_url,
    }
    process = subprocess.Popen(
        [sys.executable, "-c", ENGINE], env=env, stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    deadline = time.monotonic() + 20
    for line in process.stdout:
        if "engine ready" in line:
            return process
        assert time.monotonic() < deadline, "engine did not start"
    pytest.fail(f"engine exited with {process.wait()}")


@pytest.fixture
def engine_process(market_data: None, redis_url: str) -> Iterator[list[subprocess.Popen[str]]]:
    redis.Redis.from_url(redis_url).delete(COMMANDS_KEY)
    processes: list[subprocess.Popen[str]] = []
    yield processes
    for process in processes:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)


def test_acknowledged_orders_survive_a_sigkill_and_nothing_fills_twice(
    engine_process: list[subprocess.Popen[str]], redis_url: str
) -> None:
    alice = user_register(username="alice", password="x-long-password-1")
    bob = user_register(username="bob", password="x-long-password-1")
    # No feed runs here: as a PAPER market BTCUSDT would wait for one (MARKET_NOT_READY).
    Market.objects.filter(symbol="BTCUSDT").update(mode=Market.Mode.EXCHANGE)
    engine_process.append(start_engine(redis_url))
    client = RedisEngineClient(redis_url)
    deposit = Deposit(timestamp=wall_clock_ms(), user_id=alice.pk, asset="BTC", amount=10**8)
    assert client.execute_sync(deposit, timeout=5).rejection_reason is None

    acknowledged: dict[str, int] = {}
    unanswered: list[PlaceOrder] = []
    guard = threading.Lock()
    stop = threading.Event()

    def send(user_id: int, side: Side, prefix: str) -> None:
        sender = RedisEngineClient(redis_url)
        for index in range(100_000):
            if stop.is_set():
                return
            command = PlaceOrder(
                timestamp=wall_clock_ms(), user_id=user_id, symbol="BTCUSDT", side=side,
                price=3_000_000, quantity=100, client_order_id=f"{prefix}-{index}",
            )  # fmt: skip
            try:
                reply = sender.execute_sync(command, timeout=1.5)
            except EngineUnavailableError:
                with guard:
                    unanswered.append(command)
                continue
            assert reply.rejection_reason is None, reply
            with guard:
                acknowledged[command.client_order_id or ""] = reply.orders[0].id

    senders = [
        CheckedThread(send, alice.pk, Side.SELL, "sell", name="sell-sender").start(),
        CheckedThread(send, bob.pk, Side.BUY, "buy", name="buy-sender").start(),
    ]
    try:
        wait_until(lambda: len(acknowledged) >= 200, timeout=20, what="orders to flow")
        engine_process[0].send_signal(signal.SIGKILL)  # mid-flow: no chance to finish anything
        engine_process[0].wait(timeout=10)
        # Both senders time out: their orders are unacknowledged.
        wait_until(
            lambda: {command.side for command in unanswered} == {Side.SELL, Side.BUY},
            timeout=10,
            what="both senders to miss an answer",
        )
        engine_process.append(start_engine(redis_url))
        answered_before_restart = len(acknowledged)
        wait_until(
            lambda: len(acknowledged) >= answered_before_restart + 20,
            timeout=20,
            what="the restarted engine to answer",
        )
    finally:
        stop.set()
        for sender in senders:
            sender.result(timeout=10)

    # A client retries what got no answer: idempotent by client order id.
    for command in unanswered:
        reply = client.execute_sync(command, timeout=5)
        order_id = reply.duplicate_of if reply.duplicate_of else reply.orders[0].id
        acknowledged[command.client_order_id or ""] = order_id
    engine_process[1].send_signal(signal.SIGKILL)  # everything acknowledged is committed
    engine_process[1].wait(timeout=10)

    stored = dict(Order.objects.values_list("client_order_id", "id"))
    assert all(stored.get(client_id) == order_id for client_id, order_id in acknowledged.items())
    assert len(stored) == len(acknowledged)
    trades = Trade.objects.count()
    assert trades > 0
    assert Fill.objects.count() == 2 * trades  # one maker and one taker side, never twice
    for order in Order.objects.all():
        filled = sum((fill.quantity for fill in order.fills.all()), Decimal(0))
        assert filled == order.executed_quantity <= order.quantity
    assert_balances_equal_ledger()
    # Raises when locks and open orders disagree.
    engine_restore(catalog=catalog_read(), fee_account_id=fee_account_ensure())
