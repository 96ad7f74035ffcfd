from __future__ import annotations

import asyncio
import threading

import pytest

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
