"""Values read from the database once and reused for a while, per process."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Generic, TypeVar

from asgiref.sync import sync_to_async

T = TypeVar("T")


class Refreshed(Generic[T]):
    """What ``load`` returns, read again (in a thread) once it is ``seconds`` old."""

    def __init__(self, load: Callable[[], T], *, seconds: float) -> None:
        self._load = load
        self._seconds = seconds
        self._value: T | None = None
        self._loaded_at = 0.0

    def held(self) -> T | None:
        """The value as last loaded, however old (None before the first load); loads nothing,
        so synchronous code can ask without a trip to the event loop."""
        return self._value

    async def get(self) -> T:
        """The value, reloaded first when it is missing or too old."""
        value = self._value
        if value is None or time.monotonic() - self._loaded_at > self._seconds:
            value = self._value = await sync_to_async(self._load)()
            self._loaded_at = time.monotonic()
        return value
