"""Ending a process whose loop cannot go on: it shuts down as on SIGTERM (finishing what is in
flight) and then exits non-zero, so that whatever supervises it (systemd, the Procfile runner)
starts it again."""

from __future__ import annotations

import asyncio
import os
import signal

_status = 0


def exit_requested(status: int = 1) -> None:
    """Shut this process down as SIGTERM would, and make it exit with ``status``."""
    global _status
    _status = status
    os.kill(os.getpid(), signal.SIGTERM)


def exit_status() -> int:
    """The status this process should exit with: non-zero after ``exit_requested``."""
    return _status


async def exit_with_parent(parent: int, *, every: float = 1.0) -> None:
    """Ask this process to exit once ``parent`` is no longer its parent (a server's worker whose
    supervisor was killed is adopted by another process, maybe before this is first called);
    runs until cancelled."""
    while os.getppid() == parent:
        await asyncio.sleep(every)
    exit_requested()
