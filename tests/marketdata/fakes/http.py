"""A tiny HTTP/1.1 server on 127.0.0.1 for fake venue REST APIs (GET only, keep-alive)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from types import TracebackType
from urllib.parse import parse_qs, urlsplit

Query = dict[str, str]
Handler = Callable[[str, Query], Awaitable[tuple[int, bytes]]]
"""(path, query) -> (status, JSON body)."""

_REASONS = {200: "OK", 400: "Bad Request", 404: "Not Found", 429: "Too Many Requests", 500: "Error"}


class TinyHttpServer:
    """``async with TinyHttpServer(handler) as server: server.url``."""

    def __init__(self, handler: Handler) -> None:
        self._handler = handler
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self.requests: list[tuple[str, Query]] = []

    @property
    def url(self) -> str:
        assert self._server is not None, "server not started"
        host, port = self._server.sockets[0].getsockname()[:2]
        return f"http://{host}:{port}"

    async def __aenter__(self) -> TinyHttpServer:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        assert self._server is not None
        self._server.close()
        for writer in list(self._writers):
            writer.close()
        await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                request_line = head.split(b"\r\n", 1)[0].decode("latin-1")
                method, target, _version = request_line.split(" ", 2)
                parts = urlsplit(target)
                query = {name: values[-1] for name, values in parse_qs(parts.query).items()}
                self.requests.append((parts.path, query))
                if method != "GET":
                    status, body = 405, b'{"code":-1,"msg":"method not allowed"}'
                else:
                    status, body = await self._handler(parts.path, query)
                response_head = (
                    f"HTTP/1.1 {status} {_REASONS.get(status, 'Status')}\r\n"
                    f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
                )
                writer.write(response_head.encode() + body)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            self._writers.discard(writer)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()
