from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from paperex.apps.accounts.models import User
from paperex.apps.core.periodic import PeriodicJob
from paperex.apps.core.retention import prune, prune_and_log, rows_delete_in_batches
from paperex.apps.equity.models import EquitySnapshot
from paperex.apps.marketdata.runtime import runtime
from paperex.apps.trading.models import Fill, LedgerEntry, Order, Trade
from tests.support.factories import FillFactory, UserFactory
from tests.support.waiting import async_wait_until

LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)


def old_snapshots(user: User, count: int) -> None:
    EquitySnapshot.objects.bulk_create(
        EquitySnapshot(user=user, taken_at=LONG_AGO + timedelta(minutes=n), equity=Decimal(n))
        for n in range(count)
    )


@pytest.mark.django_db
def test_rows_go_in_batches_of_the_given_size() -> None:
    old_snapshots(UserFactory(), 5)

    with CaptureQueriesContext(connection) as queries:
        deleted = rows_delete_in_batches(EquitySnapshot.objects.all(), batch=2)

    deletes = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("DELETE")]
    assert deleted == 5
    assert len(deletes) == 3
    assert not EquitySnapshot.objects.exists()


@pytest.mark.django_db
def test_orders_fills_trades_and_the_ledger_are_kept_for_ever(trader: User) -> None:
    fill = FillFactory(order__user=trader, trade__executed_at=LONG_AGO)
    Order.objects.filter(pk=fill.order_id).update(created_at=LONG_AGO, updated_at=LONG_AGO)
    LedgerEntry.objects.update(recorded_at=LONG_AGO)
    before = [model.objects.count() for model in (Order, Fill, Trade, LedgerEntry)]
    assert before[3] > 0

    prune(now=datetime(2030, 1, 1, tzinfo=UTC))

    assert [model.objects.count() for model in (Order, Fill, Trade, LedgerEntry)] == before


@pytest.mark.django_db
def test_every_run_logs_one_line_of_what_it_pruned(
    caplog: pytest.LogCaptureFixture, settings: Any
) -> None:
    settings.PAPEREX_KEEP_ALERT_HISTORY = None
    old_snapshots(UserFactory(), 3)

    with caplog.at_level(logging.INFO, logger="paperex.apps.core.retention"):
        prune_and_log()

    [line] = caplog.messages
    assert "equity snapshots, thinned to one a day: 2" in line
    assert "alert history" not in line  # kept for ever: nothing to say


def test_the_prune_runs_every_10_minutes_with_the_periodic_jobs() -> None:
    [job] = [job for job in runtime.periodic_jobs if job.name == "prune"]
    assert job.function is prune_and_log
    assert job.seconds == 600


@pytest.mark.django_db(transaction=True)
async def test_the_periodic_job_prunes() -> None:
    [registered] = [job for job in runtime.periodic_jobs if job.name == "prune"]
    await sync_to_async(old_snapshots)(await sync_to_async(UserFactory)(), 3)
    job = PeriodicJob(registered.name, registered.function, seconds=0.01)

    job.start()
    try:
        await async_wait_until(
            sync_to_async(lambda: EquitySnapshot.objects.count() == 1), timeout=10
        )
    finally:
        await job.stop()
        await sync_to_async(connections.close_all)()  # the sync_to_async thread's
