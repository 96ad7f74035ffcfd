"""Requests that need none of Django's request cycle go to an ASGI app of their own."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

Scope = dict[str, Any]
ASGIApp = Callable[[Scope, Any, Any], Awaitable[None]]


def fast_lane(default: ASGIApp, fast: ASGIApp, takes_fast_lane: Callable[[Scope], bool]) -> ASGIApp:
    """An HTTP app that sends the requests ``takes_fast_lane`` picks to ``fast``."""

    async def app(scope: Scope, receive: Any, send: Any) -> None:
        if takes_fast_lane(scope):
            await fast(scope, receive, send)
        else:
            await default(scope, receive, send)

    return app


async def read_body(receive: Any) -> bytes | None:
    """The request's body, or None when the client went away before sending all of it."""
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


def header(scope: Scope, name: bytes) -> str | None:
    """The value of the request's header ``name`` (lower case), or None."""
    for key, value in scope.get("headers", ()):
        if key == name:
            return str(value.decode("latin-1"))
    return None


def json_headers(
    content: bytes, extra: Mapping[str, str] | None = None
) -> list[tuple[bytes, bytes]]:
    """The ASGI headers of a JSON answer ``content`` with ``extra`` headers."""
    return [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(content)).encode()),
        (b"x-content-type-options", b"nosniff"),
        *((name.lower().encode(), value.encode()) for name, value in (extra or {}).items()),
    ]


async def send_json(
    send: Any, status: int, content: bytes, extra: Mapping[str, str] | None = None
) -> None:
    """Answers a request outside Django: ``content`` (JSON) with ``status`` and ``extra``
    headers."""
    headers = json_headers(content, extra)
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": content})
