"""What travels between the callers of the engine and the engine host, in-process or over Redis."""

from __future__ import annotations

from typing import Any

import msgspec

from paperex.domain.commands import EngineCommand


class EngineUnavailableError(RuntimeError):
    """No engine answered in time, or the engine could not store the command (HTTP 503)."""


class EngineReply(msgspec.Struct, kw_only=True, omit_defaults=True):
    """The engine's answer to one command, sent once its effects are committed.

    ``rejection_reason``/``rejection_message`` are the engine's refusal (OrderRejected,
    CancelRejected, AmendRejected, TransferRejected); ``duplicate_of`` is the existing order
    when a PlaceOrder reused a client order id; ``orders`` are the commanding user's orders
    the command created or changed, as ``order_payload`` shapes them (the new order first).
    """

    rejection_reason: str | None = None
    rejection_message: str | None = None
    duplicate_of: int | None = None
    orders: list[dict[str, Any]] = msgspec.field(default_factory=list)
    error: str | None = None
    """Set (over Redis only) when the host failed; the caller raises EngineUnavailableError."""


class CommandEnvelope(msgspec.Struct, kw_only=True):
    """A command on the Redis command list: where to reply and until when it is worth doing."""

    command: EngineCommand
    reply_to: str
    deadline_ms: int
