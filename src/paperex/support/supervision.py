"""Long-running loops that outlive a service's outage, and only that.

``supervise`` runs a loop body until it returns. When the body fails with one of the transient
errors (Redis or the database away), the outage is logged once, with its cause, and the body
starts again after an exponential backoff with jitter; when it works again (it calls
``working``), the recovery is logged and the backoff starts over. Any other error propagates,
so the process that runs the loop fails instead of staying up with a dead loop.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable

from paperex.support.backoff import BackoffPolicy, RandomFraction, Sleep

logger = logging.getLogger("paperex.supervision")
Body = Callable[[Callable[[], None]], Awaitable[None]]
"""A loop body; it calls its argument whenever it has done work, which ends an outage."""
RETRY = BackoffPolicy(initial_delay=0.2, maximum_delay=5.0, jitter=0.5)


async def supervise(
    name: str,
    body: Body,
    *,
    transient: tuple[type[BaseException], ...],
    backoff: BackoffPolicy = RETRY,
    sleep: Sleep = asyncio.sleep,
    random_fraction: RandomFraction = random.random,
    monotonic: Callable[[], float] = time.monotonic,
    log: logging.Logger = logger,
) -> None:
    """Run ``body`` until it returns, starting it again after each ``transient`` failure.

    Raises whatever else ``body`` raises (and CancelledError when cancelled).
    """
    attempt = 0
    outage_since: float | None = None

    def working() -> None:
        nonlocal attempt, outage_since
        if outage_since is not None:
            log.warning("%s works again after %.1f s", name, monotonic() - outage_since)
            outage_since = None
        attempt = 0

    while True:
        try:
            await body(working)
            return
        except transient as error:
            if outage_since is None:
                outage_since = monotonic()
                log.warning(
                    "%s failed (%s: %s); retrying until it works", name, type(error).__name__, error
                )
            await sleep(backoff.delay(attempt, random_fraction()))
            attempt += 1
