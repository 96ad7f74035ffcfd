"""Loops that outlive a service's outage, and only that.

An ``Outage`` is one service's trouble as a loop sees it: logged once when it starts, with its
cause, and once when it ends, with the backoff (exponential, with jitter) to wait before each
new try. ``supervise`` runs a loop body under one: when the body fails with a transient error
(Redis or the database away) it starts again after the backoff; any other error propagates, so
the process that runs the loop fails instead of staying up with a dead loop.
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


class Outage:
    """Whether ``name`` is failing, since when, and how long to wait before trying again."""

    def __init__(
        self,
        name: str,
        *,
        backoff: BackoffPolicy = RETRY,
        random_fraction: RandomFraction = random.random,
        monotonic: Callable[[], float] = time.monotonic,
        log: logging.Logger = logger,
    ) -> None:
        self.name = name
        self._backoff = backoff
        self._random_fraction = random_fraction
        self._monotonic = monotonic
        self._log = log
        self._attempt = 0
        self.since: float | None = None
        """When the outage began (``monotonic``), None while things work."""
        self.retry_at = 0.0
        """The earliest ``monotonic`` time worth trying again."""

    def failed(self, error: BaseException) -> float:
        """Count a failure (logged when it starts an outage); the seconds to wait before the
        next try."""
        now = self._monotonic()
        if self.since is None:
            self.since = now
            self._log.warning(
                "%s failed (%s: %s); retrying until it works",
                self.name,
                type(error).__name__,
                error,
            )
        delay = self._backoff.delay(self._attempt, self._random_fraction())
        self._attempt += 1
        self.retry_at = now + delay
        return delay

    def worked(self) -> bool:
        """Count a success; True when it ended an outage (logged)."""
        self._attempt = 0
        if self.since is None:
            return False
        self._log.warning("%s works again after %.1f s", self.name, self._monotonic() - self.since)
        self.since = None
        return True

    def should_wait(self) -> bool:
        """True during an outage until the backoff has passed."""
        return self.since is not None and self._monotonic() < self.retry_at


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
    outage = Outage(
        name, backoff=backoff, random_fraction=random_fraction, monotonic=monotonic, log=log
    )

    def working() -> None:
        outage.worked()

    while True:
        try:
            await body(working)
            return
        except transient as error:
            await sleep(outage.failed(error))
