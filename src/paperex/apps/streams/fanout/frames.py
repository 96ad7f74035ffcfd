"""A message on its way to many sockets: JSON-encoded once, and WebSocket-framed once.

Frames from a server are not masked (RFC 6455 §5.1), so without a compression extension the
bytes of a text message on the wire are the same for every client: a two-to-ten-byte header
and the UTF-8 payload. ``Frame.wire`` builds them on first use and every socket writes them.
"""

from __future__ import annotations

FIN_TEXT = 0x81
"""FIN bit and opcode 1 (text): a whole text message in one frame."""


def text_frame(payload: bytes) -> bytes:
    """``payload`` as one unmasked WebSocket text frame (RFC 6455 §5.2)."""
    length = len(payload)
    if length < 126:
        header = bytes((FIN_TEXT, length))
    elif length < 1 << 16:
        header = bytes((FIN_TEXT, 126)) + length.to_bytes(2, "big")
    else:
        header = bytes((FIN_TEXT, 127)) + length.to_bytes(8, "big")
    return header + payload


class Frame:
    """One JSON message: its text for an ASGI ``send``, its wire bytes for a raw socket."""

    __slots__ = ("_text", "_wire", "payload")

    def __init__(self, payload: bytes) -> None:
        self.payload = payload
        self._text: str | None = None
        self._wire: bytes | None = None

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = self.payload.decode()
        return self._text

    @property
    def wire(self) -> bytes:
        if self._wire is None:
            self._wire = text_frame(self.payload)
        return self._wire
