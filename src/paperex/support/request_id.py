"""The id of the request being served, for the logs: set where a request comes in, carried to
the engine with its commands, and written into every log line meanwhile."""

from __future__ import annotations

import re
from contextvars import ContextVar

from paperex.support.unique_ids import ProcessIds

current: ContextVar[str | None] = ContextVar("request_id", default=None)

_ACCEPTED = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_IDS = ProcessIds(tag_bytes=4)


def request_id_for(given: str | None) -> str:
    """The client's ``X-Request-ID`` when it is a plain token of up to 64 characters (so a
    caller can follow its own id through the logs), else a new one: 16 characters, unique across
    processes."""
    if given and _ACCEPTED.match(given):
        return given
    return _IDS.next_id(width=8)
