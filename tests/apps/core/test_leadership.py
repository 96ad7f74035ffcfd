"""The singleton roles' leads: one lease per role, the lead reported by /api/health/ and
/metrics, a leader whose session ends stops being valid at once, and the standby loop."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from django.db import connection
from django.test import Client, override_settings

from paperex.apps.core.leadership import (
    LOCK_KEYS,
    RoleLease,
    lead_while_running,
    leaders,
    process_name,
)
from paperex.apps.core.metrics import metrics_text
from tests.support.waiting import wait_until

on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the lead is a PostgreSQL advisory lock"
)


@pytest.fixture
def leases() -> Iterator[list[RoleLease]]:
    made: list[RoleLease] = []
    yield made
    for lease in made:
        lease.release()


def lease_of(leases: list[RoleLease], role: str) -> RoleLease:
    lease = RoleLease(role)
    leases.append(lease)
    return lease


@on_postgres
@pytest.mark.django_db
def test_one_process_leads_a_role_and_the_standby_takes_it_when_released(
    leases: list[RoleLease],
) -> None:
    leader, standby = lease_of(leases, "feed"), lease_of(leases, "feed")
    assert leader.try_take()
    assert leader.valid()
    assert not standby.try_take()
    assert not standby.valid()
    assert lease_of(leases, "bots").try_take()  # another role, another lock
    assert leaders() == {
        "engine": None,
        "feed": process_name("feed"),
        "bots": process_name("bots"),
        "beat": None,
    }
    leader.release()
    assert not leader.valid()
    assert standby.try_take()


@on_postgres
@pytest.mark.django_db
def test_a_leader_whose_session_ends_is_no_longer_valid(leases: list[RoleLease]) -> None:
    with override_settings(PAPEREX_LEAD_SECONDS=2):
        leader = lease_of(leases, "beat")
    assert leader.try_take()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory'"
            " AND objid = %s AND granted",
            [LOCK_KEYS["beat"] & 0xFFFFFFFF],
        )
    # The heartbeat (every half second) finds the session gone.
    wait_until(lambda: not leader.valid(), timeout=2, what="the lead lost")
    assert lease_of(leases, "beat").try_take()


def sessions_named(name: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # the test's transaction keeps one
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", [name])
        return int(cursor.fetchone()[0])


@on_postgres
@pytest.mark.django_db
def test_a_standby_tries_in_one_session_and_opens_another_when_it_ends(
    leases: list[RoleLease],
) -> None:
    leader, standby = lease_of(leases, "bots"), lease_of(leases, "bots")
    assert leader.try_take()
    for _ in range(3):
        assert not standby.try_take()
    assert sessions_named(process_name("bots")) == 2  # the leader's and the standby's
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(a.pid) FROM pg_stat_activity a"
            " WHERE a.application_name = %s AND NOT EXISTS (SELECT FROM pg_locks l"
            " WHERE l.pid = a.pid AND l.locktype = 'advisory' AND l.granted)",
            [process_name("bots")],
        )
    wait_until(lambda: sessions_named(process_name("bots")) == 1, timeout=2, what="its end")
    leader.release()
    assert standby.try_take()
    assert standby.valid()


@on_postgres
@pytest.mark.django_db
def test_health_and_metrics_name_the_leaders(leases: list[RoleLease], client: Client) -> None:
    assert lease_of(leases, "feed").try_take()
    report = client.get("/api/health/").json()
    assert report["leaders"]["feed"] == process_name("feed")
    assert report["leaders"]["beat"] is None
    exposed = metrics_text().decode()
    assert f'paperex_role_leader{{process="{process_name("feed")}",role="feed"}} 1.0' in exposed
    assert 'role="beat"' not in exposed


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the embedded default")
@pytest.mark.django_db
def test_without_postgres_the_one_process_leads() -> None:
    lease = RoleLease("feed")
    assert lease.try_take()
    assert lease.valid()
    assert leaders() == {}


class ScriptedLead:
    """A lead whose takes and checks answer from scripts (then False)."""

    role = "test"

    def __init__(self, takes: list[bool], checks: list[bool]) -> None:
        self.takes, self.checks = takes, checks
        self.released = False

    async def take(self) -> bool:
        return self.takes.pop(0) if self.takes else False

    def valid(self) -> bool:
        return self.checks.pop(0) if self.checks else False

    def release(self) -> None:
        self.released = True


async def run_lead(lead: ScriptedLead, *, stop_after_steps: int) -> list[str]:
    stop, steps = asyncio.Event(), []

    async def begin() -> None:
        steps.append("begin")

    async def end() -> None:
        steps.append("end")
        if len(steps) >= stop_after_steps:
            stop.set()

    await asyncio.wait_for(lead_while_running(lead, stop, begin=begin, end=end), timeout=10)
    return steps


async def test_the_standby_loop_begins_on_the_lead_and_ends_when_another_took_it() -> None:
    # Standing by, then leading for two checks; the lead lost and not to be had again.
    lead = ScriptedLead(takes=[False, True, False], checks=[True, True])
    assert await run_lead(lead, stop_after_steps=2) == ["begin", "end"]
    assert lead.takes == []
    assert lead.released


async def test_a_lead_lost_with_its_session_is_taken_again_without_stopping_the_work() -> None:
    # Leading; the session goes (a check fails) but nobody took the lead: it goes on, and ends
    # only when the lead is lost for good.
    lead = ScriptedLead(takes=[True, True, False], checks=[True, False, True])
    assert await run_lead(lead, stop_after_steps=2) == ["begin", "end"]
    assert lead.takes == []
    assert lead.checks == []
