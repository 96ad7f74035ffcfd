"""Stopping asyncio tasks (named so as not to shadow the standard `asyncio` module)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

logger = logging.getLogger(__name__)

RECANCEL_SECONDS = 0.1
"""How long a cancelled task may take to finish before it is cancelled again."""


async def cancel_and_wait(*tasks: asyncio.Future[Any] | None) -> None:
    """Cancel ``tasks`` (None entries are skipped) and wait until each has finished.

    A task that swallows its cancellation and goes on (Redis's client does, now and then, while
    it tidies a connection it was using) is cancelled again until it ends, so that stopping a
    process never hangs on it. A task that had already failed is logged with its error, not
    raised: whatever its caller stops after it still gets stopped.
    """
    running = [task for task in tasks if task is not None]
    for task in running:
        task.cancel()
    for task in running:
        while not task.done():
            await asyncio.wait({task}, timeout=RECANCEL_SECONDS)
            task.cancel()
        if not task.cancelled() and (error := task.exception()) is not None:
            logger.error("%r had failed", task, exc_info=error)
