"""Request bodies over the size limit are refused with 413 before they are read into memory:
at once when the declared Content-Length is over it, else as soon as the bytes received pass it
(the application then sees the client as gone, and its answer is dropped)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from paperex.apps.core.errors import ErrorCode, PaperexError, render_error
from paperex.apps.core.fast_lane import ASGIApp, Scope, send_json


def body_limited(app: ASGIApp, limit: Callable[[], int | None]) -> ASGIApp:
    """``app`` behind a limit of ``limit()`` bytes (None: no limit) on each HTTP request body."""

    async def limited(scope: Scope, receive: Any, send: Any) -> None:
        maximum = limit()
        if scope["type"] != "http" or maximum is None:
            await app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > maximum:
            await _refuse(send, maximum)
            return
        received = 0
        started = refused = False

        async def counted_receive() -> dict[str, Any]:
            nonlocal received, refused
            message: dict[str, Any] = await receive()
            if message["type"] == "http.request" and not refused:
                received += len(message.get("body", b""))
                if received > maximum:
                    refused = True
                    if not started:
                        await _refuse(send, maximum)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: dict[str, Any]) -> None:
            nonlocal started
            if refused:
                return  # the 413 was the answer
            started = started or message["type"] == "http.response.start"
            await send(message)

        await app(scope, counted_receive, guarded_send)

    return limited


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _refuse(send: Any, maximum: int) -> None:
    too_large = PaperexError(
        ErrorCode.PAYLOAD_TOO_LARGE, f"The request body is over {maximum} bytes.", status=413
    )
    rendered = render_error(too_large)
    assert rendered is not None
    # Connection: close, since the rest of the body is not read.
    await send_json(
        send, rendered.status, json.dumps(rendered.body).encode(), {"Connection": "close"}
    )
