"""Threads whose outcome reaches the test that started them, and a check that a test leaves no
thread of its own running."""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Callable, Collection
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class CheckedThread(Generic[T]):
    """Runs ``target(*args)`` in a thread of its own; ``result`` joins it within a deadline and
    fails if it is still running, re-raises what the target raised, or returns what it returned
    (an assertion in the target fails the test, not just a warning)."""

    def __init__(self, target: Callable[..., T], *args: Any, name: str | None = None) -> None:
        self._target = target
        self._args = args
        self._value: T | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=name)

    def start(self) -> CheckedThread[T]:
        self._thread.start()
        return self

    def _run(self) -> None:
        try:
            self._value = self._target(*self._args)
        except BaseException as error:  # handed to the test in result()
            self._error = error

    def result(self, timeout: float) -> T:
        """What the target returned, once the thread ended within ``timeout`` seconds."""
        self._thread.join(timeout)
        assert not self._thread.is_alive(), f"{self._thread.name} still runs after {timeout} s"
        if self._error is not None:
            raise self._error
        return self._value  # type: ignore[return-value]  # T, set by _run when nothing raised


def threads_left_running(
    before: Collection[threading.Thread],
    *,
    allowed: Callable[[threading.Thread], bool],
    timeout: float,
) -> list[threading.Thread]:
    """The non-daemon threads not in ``before`` nor ``allowed`` that still run ``timeout``
    seconds from now (a thread given a stop signal may take a moment to end)."""
    started = [
        thread
        for thread in threading.enumerate()
        if thread not in before and not thread.daemon and not allowed(thread)
    ]
    if not started:
        return []
    # A thread pool dropped without a shutdown ends its worker once it is collected, and one
    # that a traceback still refers to is only collected by a full collection.
    gc.collect()
    deadline = time.monotonic() + timeout
    for thread in started:
        thread.join(max(0.0, deadline - time.monotonic()))
    return [thread for thread in started if thread.is_alive()]
