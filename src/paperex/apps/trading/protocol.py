"""What travels between the callers of the engine and the engine host, in-process or over Redis.

The bottom layer of trading: the gateway (callers' side) and the host (the writer's side) both
speak it and nothing else of each other. Over Redis a caller LPUSHes a ``CommandEnvelope`` onto
``COMMANDS_KEY`` and waits on its own reply key for the ``EngineReply``.
"""

from __future__ import annotations

import msgspec

from paperex.apps.core.errors import ErrorCode, ServiceUnavailableError
from paperex.apps.trading.schemas import OrderView
from paperex.domain.commands import EngineCommand

COMMANDS_KEY = "paperex:engine:commands"
REPLY_PREFIX = "paperex:engine:reply:"
REPLY_TTL_SECONDS = 60


class EngineUnavailableError(ServiceUnavailableError):
    """The command did not run: no engine could be reached, or the engine dropped it or could
    not store it (HTTP 503)."""

    def __init__(self, message: str) -> None:
        super().__init__(ErrorCode.ENGINE_UNAVAILABLE, message)


class EngineOutcomeUnknownError(EngineUnavailableError):
    """The command was sent but no answer came in time: the engine may have dropped it or
    committed it (HTTP 503, unless the caller can say more)."""


class EngineReply(msgspec.Struct, kw_only=True, omit_defaults=True):
    """The engine's answer to one command, sent once its effects are committed.

    ``rejection_reason``/``rejection_message`` are the engine's refusal (OrderRejected,
    CancelRejected, AmendRejected, TransferRejected); ``duplicate_of`` is the existing order
    when a PlaceOrder reused a client order id; ``orders`` are the commanding user's orders
    the command created or changed (the new order first).
    """

    rejection_reason: str | None = None
    rejection_message: str | None = None
    duplicate_of: int | None = None
    orders: list[OrderView] = msgspec.field(default_factory=list)
    error: str | None = None
    """Set (over Redis only) when the host failed; the caller raises EngineUnavailableError."""
    markets_not_ready: list[str] = msgspec.field(default_factory=list)
    """In the reply to a Heartbeat: the markets still waiting for their reference market."""
    key_refused: bool = False
    """The command named an API key that is not active, or not its user's: it did not run."""


class Heartbeat(msgspec.Struct, frozen=True, kw_only=True, tag_field="command", tag=True):
    """Asks the writer whether it takes commands: answered as soon as the writer reaches it,
    touching nothing, with the markets that still wait for their reference market. It travels
    the orders' way, so an answer means an order would be taken now (the readiness probe)."""

    timestamp: int = 0


HostCommand = EngineCommand | Heartbeat
"""What the host takes: the engine's commands and the heartbeat."""


class CommandEnvelope(msgspec.Struct, kw_only=True):
    """A command on the Redis command list: where to reply and until when it is worth doing
    (``deadline_ms`` None: whenever the engine takes it)."""

    command: HostCommand
    reply_to: str
    deadline_ms: int | None
    new_client_order_id: bool = False
    """The caller made the PlaceOrder's client order id just now: no stored order has it."""
    request_id: str | None = None
    """The request that sent it, for the engine's log lines."""
    api_key_id: int | None = None
    """The API key the command was signed with: it runs only while the key is active."""


encode = msgspec.json.Encoder().encode
decode_envelope = msgspec.json.Decoder(CommandEnvelope).decode
decode_reply = msgspec.json.Decoder(EngineReply).decode
