"""Errors shared by every venue adapter."""

from __future__ import annotations


class ParseError(ValueError):
    """A venue message that cannot be turned into events: malformed, unexpected or unsupported.

    The message names the venue and shows the start of the offending payload.
    """

    def __init__(self, venue: str, reason: str, payload: bytes = b"") -> None:
        excerpt = payload[:120].decode("utf-8", "replace")
        super().__init__(f"{venue}: {reason}" + (f" in {excerpt!r}" if payload else ""))
        self.venue = venue
        self.reason = reason
