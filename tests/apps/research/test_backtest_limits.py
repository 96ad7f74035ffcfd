"""How many backtests a user may have unfinished, the time limit of a run, and the runs a
stopped server left behind."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone

from paperex.apps.accounts.models import User
from paperex.apps.accounts.services import user_register
from paperex.apps.research import apps as research_apps
from paperex.apps.research import tasks
from paperex.apps.research.backtest_requests import MarketSource
from paperex.apps.research.local_jobs import LocalJobs
from paperex.apps.research.models import BacktestRun
from paperex.apps.research.services import backtest_run_start
from paperex.apps.research.tasks import (
    CUT_OFF,
    backtest_runs_expire,
    backtest_runs_recover,
    run_backtest_task,
)
from tests.apps.research.conftest import client_of
from tests.support.waiting import wait_until

pytestmark = pytest.mark.django_db
BODY = {"symbol": "BTCUSDT", "interval": "1m", "parameters": {"fast": 5, "slow": 20}}


def queued_run(user: User) -> BacktestRun:
    """A stored, queued backtest (its dispatch waits for a commit that this test never makes)."""
    return backtest_run_start(
        user_id=user.pk,
        source=MarketSource("BTCUSDT", "1m"),
        strategy="sma_cross",
        parameters={"fast": 5, "slow": 20},
        execution={},
    )


def running_since(run: BacktestRun, started: timedelta) -> None:
    BacktestRun.objects.filter(pk=run.pk).update(
        status=BacktestRun.Status.RUNNING, started_at=timezone.now() - started
    )


@override_settings(PAPEREX_BACKTESTS_PER_USER=2)
def test_a_user_with_the_most_unfinished_backtests_is_told_to_wait(
    trader: User, candles: list[float]
) -> None:
    first, _ = queued_run(trader), queued_run(trader)
    answer = client_of(trader).post("/api/backtests/", BODY, format="json")
    assert answer.status_code == 429
    assert answer["Retry-After"] == "10"
    assert answer.json() == {
        "code": "rate_limited",
        "message": "You have 2 backtests queued or running, the most at once; try again when "
        "one has finished.",
        "limit": "backtests",
    }
    assert BacktestRun.objects.count() == 2  # nothing stored
    bob = user_register(username="bob", password="correct-horse-battery")
    assert client_of(bob).post("/api/backtests/", BODY, format="json").status_code == 202
    run_backtest_task(first.pk)  # one finishes: room for one more
    assert client_of(trader).post("/api/backtests/", BODY, format="json").status_code == 202


@override_settings(PAPEREX_BACKTEST_TIME_LIMIT=600)
def test_a_run_past_the_time_limit_fails_and_keeps_failed(
    trader: User, candles: list[float], monkeypatch: pytest.MonkeyPatch
) -> None:
    old, recent, done = queued_run(trader), queued_run(trader), queued_run(trader)
    running_since(old, timedelta(seconds=601))
    running_since(recent, timedelta(seconds=599))
    BacktestRun.objects.filter(pk=done.pk).update(
        status=BacktestRun.Status.DONE, started_at=timezone.now() - timedelta(hours=2)
    )
    assert backtest_runs_expire() == 1
    statuses = dict(BacktestRun.objects.values_list("pk", "status"))
    assert statuses == {old.pk: "failed", recent.pk: "running", done.pk: "done"}
    old.refresh_from_db()
    assert old.error == (
        "Cut off: no result after 600 s, the time limit; its worker may have stopped."
    )
    assert old.finished_at is not None

    late = queued_run(trader)
    real_run = tasks.backtest_run_execute.__globals__["run_backtest"]

    def expired_meanwhile(*args: Any) -> Any:
        running_since(late, timedelta(seconds=601))
        backtest_runs_expire()
        return real_run(*args)

    monkeypatch.setattr("paperex.apps.research.backtest_runner.run_backtest", expired_meanwhile)
    run_backtest_task(late.pk)  # finishes after it was failed: stays failed, without a result
    late.refresh_from_db()
    assert (late.status, late.result) == ("failed", None)


@override_settings(PAPEREX_REDIS_URL=None)
def test_runs_a_stopped_server_left_are_sent_again_or_failed(
    trader: User, candles: list[float], monkeypatch: pytest.MonkeyPatch
) -> None:
    lost_queued, lost_running, held_running = (queued_run(trader) for _ in range(3))
    running_since(lost_running, timedelta(seconds=5))
    running_since(held_running, timedelta(seconds=5))
    jobs = LocalJobs()
    release = threading.Event()
    jobs.submit(("backtest", held_running.pk), release.wait)  # this process runs that one
    sent: list[tuple[Any, Any]] = []
    monkeypatch.setattr(tasks, "local_jobs", jobs)
    monkeypatch.setattr(jobs, "submit", lambda key, job: sent.append((key, job)))

    backtest_runs_recover()

    assert [key for key, _ in sent] == [("backtest", lost_queued.pk)]
    statuses = dict(BacktestRun.objects.values_list("pk", "status"))
    assert statuses == {
        lost_queued.pk: "queued",
        lost_running.pk: "failed",
        held_running.pk: "running",
    }
    assert BacktestRun.objects.get(pk=lost_running.pk).error == CUT_OFF
    release.set()


def test_local_jobs_hold_a_job_until_it_has_run() -> None:
    jobs = LocalJobs(workers=1)
    release = threading.Event()
    jobs.submit("slow", release.wait)
    jobs.submit("next", lambda: None)
    assert jobs.holds("slow")
    assert jobs.holds("next")
    release.set()
    wait_until(lambda: not jobs.holds("slow") and not jobs.holds("next"), timeout=5, what="jobs")
    assert not jobs.holds("other")


def test_the_embedded_servers_jobs_run_the_recovery_and_the_expiry(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ran: list[str] = []
    monkeypatch.setattr(tasks, "backtest_runs_recover", lambda: ran.append("recover"))
    monkeypatch.setattr(tasks, "backtest_runs_expire", lambda: ran.append("expire") or 0)
    research_apps._backtest_runs_recover()
    research_apps._backtest_runs_expire()
    assert ran == ["recover", "expire"]
