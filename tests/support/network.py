"""Loopback addresses for tests that need a place where nothing listens."""

from __future__ import annotations

import socket


def unused_port() -> int:
    """A loopback port nothing listens on (bound then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port
