"""A role's process for a failover test: its output in a log, its readiness read from the log, and
killed at the end even when the test left it paused."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

from tests.support.waiting import wait_until


@contextlib.contextmanager
def logged_process(
    argv: list[str], env: dict[str, str], log: Path, *, sign: str, timeout: float = 60
) -> Iterator[subprocess.Popen[bytes]]:
    """``argv`` writing to ``log``, once the log says ``sign``; woken (SIGCONT) and killed at
    the end if it still runs."""
    with log.open("w") as output:
        process = subprocess.Popen(argv, env=env, stdout=output, stderr=subprocess.STDOUT)
    try:
        wait_until(lambda: sign in log.read_text(), timeout=timeout, what=f"{sign} in {log}")
        yield process
    finally:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGCONT)
            process.kill()
            process.wait(timeout=10)


def lines_saying(log: Path, text: str) -> int:
    """How many lines of ``log`` end with ``text``: a role prints its state at the end of a line
    (Celery prefixes what it prints), while its log lines may say the same words and go on
    ("engine ready: serving commands")."""
    return sum(1 for line in log.read_text().splitlines() if line.endswith(text))


def seconds_until(log: Path, text: str, since: float, times: int = 1) -> float:
    """Seconds from ``since`` (monotonic) until a line of ``log`` ends with ``text`` the
    ``times``-th time."""
    wait_until(lambda: lines_saying(log, text) >= times, timeout=30, what=f"{text} in {log}")
    return time.monotonic() - since
