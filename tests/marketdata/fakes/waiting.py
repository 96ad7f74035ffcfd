"""Wait for a condition with a deadline instead of sleeping for a fixed time."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable


async def wait_until(
    condition: Callable[[], bool], *, timeout: float = 5.0, what: str = ""
) -> None:
    """Return as soon as ``condition()`` holds; fail the test after ``timeout`` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what or condition}")
        await asyncio.sleep(0.002)


def unused_port() -> int:
    """A loopback port nothing listens on (bound then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port
