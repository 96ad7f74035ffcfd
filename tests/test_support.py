from __future__ import annotations

import asyncio
import time

from paperex.support.async_tasks import cancel_and_wait
from paperex.support.clock import wall_clock_ms


async def test_every_task_is_cancelled_and_finished_and_none_is_skipped() -> None:
    blocked = [asyncio.create_task(asyncio.sleep(60)) for _ in range(3)]
    finished = asyncio.create_task(asyncio.sleep(0))
    await finished
    await cancel_and_wait(*blocked, None, finished)
    assert all(task.cancelled() for task in blocked)
    assert finished.done()
    assert not finished.cancelled()


def test_the_wall_clock_counts_milliseconds_since_the_epoch() -> None:
    before = time.time_ns() // 1_000_000
    now = wall_clock_ms()
    after = time.time_ns() // 1_000_000
    assert before <= now <= after
