"""Wait for a condition with a deadline instead of sleeping for a fixed time."""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


def wait_until(
    condition: Callable[[], T], *, timeout: float = 5.0, what: str = "", interval: float = 0.05
) -> T:
    """The first truthy value of ``condition()``, polled every ``interval`` seconds; raises
    AssertionError after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what or condition}")
        time.sleep(interval)
    return value


async def async_wait_until(
    condition: Callable[[], T | Awaitable[T]],
    *,
    timeout: float = 5.0,
    what: str = "",
    interval: float = 0.002,
) -> T:
    """``wait_until`` for a running event loop: ``condition`` may be a coroutine function, and
    the loop runs other tasks between polls."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        value = condition()
        if inspect.isawaitable(value):
            value = await value
        if value:
            return value
        if loop.time() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what or condition}")
        await asyncio.sleep(interval)
