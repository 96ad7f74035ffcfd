"""The engine writer under PostgreSQL faults: it rebuilds by itself when its connections are
terminated, and a writer whose lock another engine took commits nothing and stops."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import pytest
from asgiref.sync import SyncToAsync
from django.db import connection, connections

from paperex.apps.accounts.models import User
from paperex.apps.accounts.services import user_register
from paperex.apps.core.leadership import lease_seconds
from paperex.apps.trading.gateway.gateway import engine_gateway
from paperex.apps.trading.host import host as host_module
from paperex.apps.trading.host.host import EngineHost
from paperex.apps.trading.host.writer_lock import EngineLockedError
from paperex.apps.trading.models import Order
from paperex.apps.trading.protocol import EngineReply, EngineUnavailableError, Heartbeat
from paperex.domain.commands import PlaceOrder
from tests.support.databases import ENGINE_LOCK_HOLDERS_SQL, ENGINE_LOCK_KEY_PARTS
from tests.support.ledger import assert_balances_equal_ledger
from tests.support.trading import PASSWORD, btc_bid
from tests.support.waiting import wait_until

pytestmark = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="terminating the engine's connections needs PostgreSQL (DATABASE_URL)",
)
ANSWER_SECONDS = 5


@pytest.fixture(autouse=True)
def reconnect_the_async_thread() -> Iterator[None]:
    """Terminating every session also ends the one that async tests' database work holds on
    asgiref's single thread (never returned to the pool between tests): drop it afterwards."""
    yield
    SyncToAsync.single_thread_executor.submit(connections.close_all).result()


@pytest.fixture
def trader(market_data: None) -> User:
    return user_register(username="alice", password=PASSWORD)


@pytest.fixture
def failures() -> list[BaseException]:
    return []


@pytest.fixture
def writer(market_data: None, failures: list[BaseException]) -> Iterator[EngineHost]:
    host = EngineHost(lock_timeout=1, on_failure=failures.append)
    host.start()
    engine_gateway.attach(host)
    yield host
    engine_gateway.attach(None)
    host.stop()


def bid(user: User, client_order_id: str) -> PlaceOrder:
    """A small resting buy order (it locks some of the starting USDT)."""
    return btc_bid(user.pk, client_order_id=client_order_id)


def placed(host: EngineHost, command: PlaceOrder) -> EngineReply:
    return host.submit(command).result(ANSWER_SECONDS)


def lock_holders() -> list[int]:
    """The PostgreSQL sessions holding the engine lock."""
    with connection.cursor() as cursor:
        cursor.execute(ENGINE_LOCK_HOLDERS_SQL, ENGINE_LOCK_KEY_PARTS)
        return [row[0] for row in cursor.fetchall()]


def terminate_backends(*, lock_only: bool = False) -> int:
    """Terminate the engine's PostgreSQL sessions (only the one holding its lock, or every one
    on the test database but this test's own); how many were terminated."""
    if lock_only:
        pids = lock_holders()
    else:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                " AND pid <> pg_backend_pid()"
            )
            pids = [row[0] for row in cursor.fetchall()]
    with connection.cursor() as cursor:
        for pid in pids:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    return len(pids)


def placed_after_recovery(host: EngineHost, user: User, client_order_id: str) -> EngineReply:
    """The first answer that is not EngineUnavailableError (the writer is rebuilding)."""

    def attempt() -> EngineReply | None:
        try:
            return placed(host, bid(user, client_order_id))
        except EngineUnavailableError:
            return None

    return wait_until(attempt, timeout=15, what="the writer took commands again")


def test_the_writer_rebuilds_by_itself_after_its_connections_are_terminated(
    writer: EngineHost, trader: User, failures: list[BaseException]
) -> None:
    assert placed(writer, bid(trader, "before")).orders
    for outage in range(3):
        assert terminate_backends() >= 1  # the writer's session, which holds the lock
        reply = placed_after_recovery(writer, trader, f"after-{outage}")
        assert reply.orders or reply.duplicate_of
        assert writer.running
    assert failures == []
    assert Order.objects.filter(user=trader).count() == 4
    # It rebuilt from the database: its book holds exactly the stored open orders.
    assert writer.state is not None
    assert {order.order_id for order in writer.state.engine.open_orders()} == set(
        Order.objects.filter(user=trader).values_list("id", flat=True)
    )
    assert_balances_equal_ledger()


def test_a_writer_whose_lock_another_engine_took_commits_nothing(
    writer: EngineHost,
    trader: User,
    failures: list[BaseException],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The writer must not notice the lost lock while idle: its next batch has to find out.
    monkeypatch.setattr(host_module, "LOCK_CHECK_SECONDS", 3600.0)
    assert placed(writer, bid(trader, "first")).orders
    assert terminate_backends(lock_only=True) == 1
    successor = EngineHost(lock_timeout=5)
    successor.start()
    try:
        with pytest.raises(EngineUnavailableError):
            placed(writer, bid(trader, "too-late"))
        wait_until(lambda: not writer.running, what="the fenced writer stopped")
        assert [type(failure) for failure in failures] == [EngineLockedError]
        assert not Order.objects.filter(client_order_id="too-late").exists()
        assert placed(successor, bid(trader, "successor")).orders
        assert_balances_equal_ledger()
    finally:
        successor.stop()


def test_an_idle_writer_that_lost_its_lock_to_another_engine_stops(
    writer: EngineHost, trader: User, failures: list[BaseException]
) -> None:
    assert terminate_backends(lock_only=True) == 1
    successor = EngineHost(lock_timeout=5)
    successor.start()
    try:
        wait_until(lambda: failures, what="the writer noticed")
        assert [type(failure) for failure in failures] == [EngineLockedError]
        assert not writer.running
        assert placed(successor, bid(trader, "successor")).orders
    finally:
        successor.stop()


def test_an_idle_writer_that_lost_its_lock_retakes_it(
    writer: EngineHost, trader: User, failures: list[BaseException]
) -> None:
    [lost] = lock_holders()
    assert terminate_backends(lock_only=True) == 1
    wait_until(lambda: lock_holders() not in ([], [lost]), what="the writer retook its lock")
    with pytest.raises(EngineLockedError):
        EngineHost(lock_timeout=0).start()
    assert placed(writer, bid(trader, "after")).orders
    assert failures == []


def test_a_writer_busy_with_commands_that_write_nothing_keeps_its_session(
    writer: EngineHost, trader: User, failures: list[BaseException]
) -> None:
    # As a reference feed keeps it: never idle for a lock check, never writing. The server ends
    # a session silent for the lease: the writer's must speak meanwhile.
    [holder] = lock_holders()
    busy_until = time.monotonic() + lease_seconds() + 1
    while time.monotonic() < busy_until:
        writer.submit(Heartbeat()).result(ANSWER_SECONDS)
        time.sleep(0.1)
    assert lock_holders() == [holder]
    assert placed(writer, bid(trader, "after")).orders
    assert failures == []
