"""The chaos soak's front proxy (127.0.0.1 only): as the Compose file's reverse proxy does, it
spreads HTTP/1.1 requests over the web processes in turn, tries the next one when a process
refuses the connection (nothing was sent, so any request may go elsewhere), and answers 503
with ``Retry-After`` when none answers, a request cut off in flight included: whether that one
ran is for the client to find out (an order resent with its client order id runs once)."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from types import TracebackType

import httpx

UPSTREAM_SECONDS = 10.0
"""How long the proxy waits for a web process: less than its clients do, so that they get a 503
rather than a timeout of their own."""
NOT_FORWARDED = {"connection", "keep-alive", "transfer-encoding", "content-length", "host"}
"""Hop-by-hop headers, and those the proxy sets itself."""
NOT_RETURNED = NOT_FORWARDED | {"content-encoding"}
"""And of an answer, its encoding too: the proxy returns the body decoded."""
NO_WEB_PROCESS = b'{"detail": "No web process answered; try again."}'


class FrontProxy:
    """``async with FrontProxy(upstreams) as proxy``: serves on ``proxy.url`` until the block
    ends."""

    def __init__(self, upstreams: list[str]) -> None:
        self._upstreams = upstreams
        self._turns = itertools.count()
        self._http = httpx.AsyncClient(timeout=UPSTREAM_SECONDS)
        self._server: asyncio.Server | None = None
        self._connections: dict[asyncio.Task[None], asyncio.StreamWriter] = {}
        self.url = ""

    async def __aenter__(self) -> FrontProxy:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.url = f"http://127.0.0.1:{self._server.sockets[0].getsockname()[1]}"
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        assert self._server is not None
        self._server.close()
        for writer in self._connections.values():
            writer.close()  # its reader sees the end and the connection's task returns
        await asyncio.gather(*self._connections, return_exceptions=True)
        await self._http.aclose()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """One client connection: its requests in turn, kept alive until it closes."""
        this = asyncio.current_task()
        assert this is not None
        self._connections[this] = writer
        try:
            while (request := await read_request(reader)) is not None:
                status, headers, body = await self._forward(*request)
                writer.write(response_bytes(status, headers, body))
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError, ValueError):
            pass  # the client went away, or sent what this proxy does not speak
        finally:
            del self._connections[this]
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    async def _forward(
        self, method: str, target: str, headers: list[tuple[str, str]], body: bytes
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        first = next(self._turns)
        for step in range(len(self._upstreams)):
            upstream = self._upstreams[(first + step) % len(self._upstreams)]
            try:
                answer = await self._http.request(
                    method, upstream + target, headers=headers, content=body
                )
            except httpx.ConnectError:
                continue  # refused: nothing was sent, the next process may take it
            except httpx.HTTPError:
                break  # cut off in flight
            kept = [
                (name, value)
                for name, value in answer.headers.multi_items()
                if name.lower() not in NOT_RETURNED
            ]
            return answer.status_code, kept, answer.content
        return 503, [("content-type", "application/json"), ("retry-after", "1")], NO_WEB_PROCESS


async def read_request(
    reader: asyncio.StreamReader,
) -> tuple[str, str, list[tuple[str, str]], bytes] | None:
    """The next request on a connection (method, target, headers, body); None at its end.
    Raises ValueError for a request without a length that has a body (chunked)."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as error:
        if error.partial:
            raise
        return None
    request_line, *lines = head.decode("latin-1").split("\r\n")[:-2]
    method, target, _version = request_line.split(" ", 2)
    headers = [(name.strip(), value.strip()) for name, value in (h.split(":", 1) for h in lines)]
    fields = {name.lower(): value for name, value in headers}
    if "transfer-encoding" in fields:
        raise ValueError("chunked request bodies are not forwarded")
    body = await reader.readexactly(int(fields.get("content-length", "0")))
    forwarded = [(name, value) for name, value in headers if name.lower() not in NOT_FORWARDED]
    return method, target, forwarded, body


def response_bytes(status: int, headers: list[tuple[str, str]], body: bytes) -> bytes:
    lines = [f"HTTP/1.1 {status} {httpx.codes.get_reason_phrase(status)}"]
    lines += [f"{name}: {value}" for name, value in headers]
    lines += [f"content-length: {len(body)}", "connection: keep-alive"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
