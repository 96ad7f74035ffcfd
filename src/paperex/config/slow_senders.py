"""uvicorn's HTTP protocol with a deadline on reading each request, so that a client dribbling
its headers or body (a byte a second holds a connection for ever otherwise) is closed.

uvicorn only times the idle time between requests on a keep-alive connection; this adds a
deadline from the connection's start, and from the first byte of each later request, until the
request has been read whole. A request that is being answered is not timed, nor a connection
upgraded to a WebSocket (its handshake request was read whole)."""

from __future__ import annotations

import asyncio

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

REQUEST_READ_SECONDS = 10.0


class DeadlineHttpToolsProtocol(HttpToolsProtocol):
    read_seconds = REQUEST_READ_SECONDS
    _read_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_read_deadline()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_read_deadline()
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._arm_read_deadline()

    def on_message_complete(self) -> None:
        self._disarm_read_deadline()
        super().on_message_complete()

    def _arm_read_deadline(self) -> None:
        if self._read_deadline is None:
            self._read_deadline = self.loop.call_later(self.read_seconds, self._read_too_slowly)

    def _disarm_read_deadline(self) -> None:
        if self._read_deadline is not None:
            self._read_deadline.cancel()
            self._read_deadline = None

    def _read_too_slowly(self) -> None:
        self._read_deadline = None
        if not self.transport.is_closing():
            self.transport.close()  # the app, if it waits for the body, sees the client gone


HTTP_PROTOCOL = f"{__name__}:{DeadlineHttpToolsProtocol.__name__}"
"""The import path uvicorn's ``http`` option takes (its workers import it themselves)."""
