"""Running a queued backtest, as a Celery worker or a thread of the server does: done with its
result, failed with a one-line error (never an exception out of the worker), left alone when it
is not queued; and where a backtest is sent to run."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import override_settings

from paperex.apps.accounts.models import User
from paperex.apps.markets.models import Candle
from paperex.apps.research import backtest_runner
from paperex.apps.research.backtest_requests import CsvSource, MarketSource
from paperex.apps.research.models import BacktestRun
from paperex.apps.research.services import backtest_run_start
from paperex.apps.research.tasks import backtest_run_dispatch, run_backtest_task
from tests.apps.research.conftest import STORED_CANDLES, csv_of

pytestmark = pytest.mark.django_db


def queued_run(user: User, source: MarketSource | CsvSource | None = None) -> BacktestRun:
    """A stored, queued backtest (its dispatch waits for a commit that this test never makes)."""
    return backtest_run_start(
        user_id=user.pk,
        source=source or MarketSource("BTCUSDT", "1m"),
        strategy="sma_cross",
        parameters={"fast": 5, "slow": 20},
        execution={"fee": None, "cash": 1_000.0},
    )


def test_the_celery_task_runs_a_stored_backtest(trader: User, candles: list[float]) -> None:
    run = queued_run(trader)
    assert (run.status, run.progress) == ("queued", 0)
    assert run.request["execution"]["fee"] == 0.001  # the seeded market's taker fee

    run_backtest_task(run.pk)  # as a worker calls it

    run.refresh_from_db()
    assert (run.status, run.progress, run.error) == ("done", 100, "")
    result = run.result
    assert result is not None
    assert result["bars"]["count"] == STORED_CANDLES
    assert result["statistics"]["trades"] == len(result["trades"]) - (
        1 if result["trades"][-1]["exit_time"] is None else 0
    )
    assert result["series"]["close"] == candles
    assert run.started_at is not None
    assert run.finished_at is not None
    assert run.started_at <= run.finished_at


def test_a_run_whose_data_went_away_fails_in_one_line(trader: User, candles: list[float]) -> None:
    run = queued_run(trader)
    Candle.objects.all().delete()

    run_backtest_task(run.pk)

    run.refresh_from_db()
    assert run.status == "failed"
    assert run.error == "no stored 1m candles of BTCUSDT in that range"
    assert run.result is None
    assert run.finished_at is not None


def test_a_bug_during_a_run_fails_it_and_not_the_worker(
    trader: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = queued_run(trader, CsvSource("p.csv", csv_of(100)))

    def broken(*args: Any) -> None:
        raise ZeroDivisionError("float division by zero\nand more")

    monkeypatch.setattr("paperex.apps.research.backtest_runner.run_backtest", broken)
    run_backtest_task(run.pk)

    run.refresh_from_db()
    assert (run.status, run.error) == ("failed", "ZeroDivisionError: float division by zero")


def test_a_run_that_is_not_queued_is_left_alone(trader: User, candles: list[float]) -> None:
    run = queued_run(trader)
    BacktestRun.objects.filter(pk=run.pk).update(status=BacktestRun.Status.RUNNING)
    run_backtest_task(run.pk)  # another worker has it
    run.refresh_from_db()
    assert (run.status, run.result) == ("running", None)
    run_backtest_task(run.pk + 1_000)  # deleted meanwhile: nothing to do, nothing raised


def test_a_backtest_goes_to_celery_with_redis_and_to_a_thread_without(
    trader: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent: list[tuple[str, Any]] = []
    monkeypatch.setattr(run_backtest_task, "delay", lambda run_id: sent.append(("celery", run_id)))
    monkeypatch.setattr(
        "paperex.apps.research.tasks.local_jobs.submit",
        lambda key, job: sent.append(("thread", key)),
    )
    with override_settings(PAPEREX_REDIS_URL="redis://127.0.0.1:6379/0"):
        backtest_run_dispatch(7)
    with override_settings(PAPEREX_REDIS_URL=None):
        backtest_run_dispatch(8)
    assert sent[0] == ("celery", 7)
    assert sent[1] == ("thread", ("backtest", 8))


def test_a_backtest_starts_only_after_its_commit(
    trader: User,
    candles: list[float],
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    started: list[int] = []
    monkeypatch.setattr("paperex.apps.research.services.backtest_run_dispatch", started.append)
    with django_capture_on_commit_callbacks(execute=True):
        run = queued_run(trader)
        assert started == []
    assert started == [run.pk]


def test_a_run_reports_its_progress_as_it_goes(
    trader: User, candles: list[float], monkeypatch: pytest.MonkeyPatch
) -> None:
    run = queued_run(trader)
    seen: list[tuple[str, int]] = []
    real_run, real_document = backtest_runner.run_backtest, backtest_runner.result_document

    def progress() -> None:
        seen.append(BacktestRun.objects.values_list("status", "progress").get(pk=run.pk))

    def running(*args: Any) -> Any:
        progress()
        return real_run(*args)

    def documenting(*args: Any, **kwargs: Any) -> Any:
        progress()
        return real_document(*args, **kwargs)

    monkeypatch.setattr(backtest_runner, "run_backtest", running)
    monkeypatch.setattr(backtest_runner, "result_document", documenting)
    run_backtest_task(run.pk)
    assert seen == [("running", 40), ("running", 80)]
    assert BacktestRun.objects.values_list("progress", flat=True).get(pk=run.pk) == 100
