"""A progress bar on one terminal line, or a few plain lines when the output is not a terminal."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

BAR_WIDTH = 30
PLAIN_EVERY_SECONDS = 5.0


class ProgressBar:
    """``update(done, total)`` draws ``[#####.....]  45%  450,000/1,000,000 rows  90,000/s``.

    On a terminal the line is redrawn in place (at most ten times a second); elsewhere (a log,
    a pipe) a line is printed every few seconds and at the end, so logs stay short.
    """

    def __init__(
        self,
        unit: str,
        *,
        stream: TextIO | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.unit = unit
        self.stream = stream or sys.stderr
        self.clock = clock
        self.started = clock()
        self.last_drawn: float | None = None
        self.interactive = self.stream.isatty()

    def update(self, done: int, total: int) -> None:
        now = self.clock()
        finished = done >= total
        interval = 0.1 if self.interactive else PLAIN_EVERY_SECONDS
        if not finished and self.last_drawn is not None and now - self.last_drawn < interval:
            return
        self.last_drawn = now
        line = self.line(done, total, now - self.started)
        if self.interactive:
            print(f"\r{line}\033[K", end="\n" if finished else "", file=self.stream, flush=True)
        else:
            print(line, file=self.stream, flush=True)

    def line(self, done: int, total: int, seconds: float) -> str:
        """The drawn line for ``done`` of ``total`` after ``seconds``."""
        fraction = min(done / total, 1.0) if total else 1.0
        filled = round(fraction * BAR_WIDTH)
        rate = f"  {done / seconds:,.0f}/s" if seconds > 0 else ""
        return (
            f"[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {fraction:4.0%}"
            f"  {done:,}/{total:,} {self.unit}{rate}"
        )
