"""How ``paperex serve`` runs uvicorn: the options every server process gets."""

from __future__ import annotations

from typing import Any

from paperex.config.slow_senders import HTTP_PROTOCOL

WORKER_ENVIRONMENT = "PAPEREX_SERVE_SUPERVISOR"
"""The supervisor's process id, set for the workers of ``serve --workers N``: they exit with
it (compared from the start, so a supervisor killed while a worker starts counts too)."""


def uvicorn_options(*, log_level: str, json_logs: bool = False) -> dict[str, Any]:
    """uvicorn's options besides the address and the number of workers; with ``json_logs``
    uvicorn's own lines go through the project's logging (``LOGGING``) as JSON too."""
    logging_options: dict[str, Any] = {"log_config": None} if json_logs else {}
    return {
        **logging_options,
        "loop": "uvloop",
        # httptools with a deadline on reading each request (slow senders are closed).
        "http": HTTP_PROTOCOL,
        # The fan-out writes frames straight to this protocol's transport
        # (streams.fanout.socket_writer); under another one it falls back to ASGI send.
        "ws": "websockets-sansio",
        # Pings find dead peers (and clients that stopped reading) within about 20 s; frames
        # are small, so a large one is refused by the server before it reaches the app.
        "ws_ping_interval": 10,
        "ws_ping_timeout": 10,
        "ws_max_size": 64 * 1024,
        # Uncompressed, a market frame's bytes are the same for every client and are built
        # once; compression would cost each client a pass.
        "ws_per_message_deflate": False,
        "lifespan": "on",
        # SIGTERM closes the sockets and waits this long for requests in flight, so that every
        # role stops within 5 s.
        "timeout_graceful_shutdown": 3,
        "log_level": log_level,
    }
