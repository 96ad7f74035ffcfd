from __future__ import annotations

import asyncio
import threading

import pytest
from django.db import OperationalError

from paperex.apps.core.periodic import PeriodicJob


async def test_a_periodic_job_runs_every_interval_until_stopped_and_outlives_a_failure(
    caplog: pytest.LogCaptureFixture,
) -> None:
    runs: list[int] = []
    third_run = threading.Event()

    def work() -> None:
        runs.append(len(runs) + 1)
        if len(runs) == 1:
            raise RuntimeError("the first run fails")
        if len(runs) == 3:
            third_run.set()

    job = PeriodicJob("test-job", work, seconds=0.01)
    job.start()
    assert job.running
    try:
        assert await asyncio.to_thread(third_run.wait, 10)
    finally:
        await job.stop()
    assert not job.running
    assert runs[:3] == [1, 2, 3]
    assert "periodic job test-job failed" in caplog.text
    assert "the first run fails" in caplog.text


async def test_a_database_outage_is_logged_once_and_its_end_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    runs: list[int] = []
    fifth_run = threading.Event()

    def work() -> None:
        runs.append(len(runs) + 1)
        if len(runs) <= 3:
            raise OperationalError("connection refused")
        if len(runs) == 5:
            fifth_run.set()

    job = PeriodicJob("equity", work, seconds=0.01)
    job.start()
    try:
        assert await asyncio.to_thread(fifth_run.wait, 10)
    finally:
        await job.stop()
    assert caplog.text.count("periodic job equity failed (OperationalError") == 1
    assert caplog.text.count("periodic job equity works again") == 1
    assert "Traceback" not in caplog.text


async def test_what_a_run_returns_to_await_is_awaited_on_the_event_loop() -> None:
    loop = asyncio.get_running_loop()
    awaited_on: list[asyncio.AbstractEventLoop] = []
    awaited = asyncio.Event()

    async def publish() -> None:
        awaited_on.append(asyncio.get_running_loop())
        awaited.set()

    def work() -> object:
        return publish()

    job = PeriodicJob("publishing", work, seconds=0.01)
    job.start()
    try:
        await asyncio.wait_for(awaited.wait(), 10)
    finally:
        await job.stop()
    assert awaited_on[0] is loop
