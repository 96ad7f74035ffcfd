from __future__ import annotations

import asyncio

from paperex.marketdata.tasks import cancel_and_wait


async def test_every_task_is_cancelled_and_finished_and_none_is_skipped() -> None:
    blocked = [asyncio.create_task(asyncio.sleep(60)) for _ in range(3)]
    finished = asyncio.create_task(asyncio.sleep(0))
    await finished
    await cancel_and_wait(*blocked, None, finished)
    assert all(task.cancelled() for task in blocked)
    assert finished.done()
    assert not finished.cancelled()
