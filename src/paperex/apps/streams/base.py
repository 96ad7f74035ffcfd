"""What every Paperex socket does: a bounded outbound queue, topic subscriptions, error frames,
and limits on what a client may send."""

from __future__ import annotations

import time
from typing import Any

import msgspec
from channels.generic.websocket import AsyncWebsocketConsumer

from paperex.apps.streams.formats import encode
from paperex.apps.streams.hub import hub
from paperex.apps.streams.outbound import SLOW_CONSUMER_CLOSE_CODE, OutboundQueue

MAX_MESSAGE_CHARS = 4_096
MESSAGES_PER_SECOND = 20
"""A client may send this many messages a second (a burst of as many); more get an error."""


class MessageRateLimit:
    """A token bucket: ``MESSAGES_PER_SECOND`` sustained, bursts of the same size."""

    def __init__(self, rate: float = MESSAGES_PER_SECOND) -> None:
        self.rate = rate
        self.tokens = rate
        self.updated = time.monotonic()

    def allow(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.rate, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


class HubConsumer(AsyncWebsocketConsumer):  # type: ignore[misc]
    """A socket whose frames come from the hub through its own bounded queue."""

    outbound: OutboundQueue
    topics: set[str]

    async def start_outbound(self) -> None:
        self.topics = set()
        self.rate_limit = MessageRateLimit()
        self.outbound = OutboundQueue(self._send_text, self._close_slow)

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "outbound"):
            hub.unsubscribe_all(self.outbound, self.topics)
            await self.outbound.close()

    def follow(self, topic: str) -> None:
        hub.subscribe(topic, self.outbound)
        self.topics.add(topic)

    def unfollow(self, topic: str) -> None:
        hub.unsubscribe(topic, self.outbound)
        self.topics.discard(topic)

    def reply(self, data: dict[str, Any]) -> None:
        """Queue a frame for this client only, behind the frames already queued."""
        self.outbound.offer(encode(data))

    async def refuse(self, data: dict[str, Any], code: int) -> None:
        """Send a last frame straight away and close (before anything else was queued)."""
        await self.send(text_data=encode(data))
        await self.close(code=code)

    def decode_request(self, text_data: str | None) -> dict[str, Any] | None:
        """The client's JSON object, or None after replying with an error frame."""
        if not self.rate_limit.allow():
            self.reply({"error": f"Too many messages: at most {MESSAGES_PER_SECOND} a second."})
            return None
        if text_data is None:
            self.reply({"error": "Send JSON text frames, not binary."})
            return None
        if len(text_data) > MAX_MESSAGE_CHARS:
            self.reply({"error": f"Message too long: at most {MAX_MESSAGE_CHARS} characters."})
            return None
        try:
            request = msgspec.json.decode(text_data)
        except msgspec.DecodeError:
            self.reply({"error": "Malformed JSON."})
            return None
        if not isinstance(request, dict):
            self.reply({"error": "Send a JSON object."})
            return None
        return request

    async def _send_text(self, frame: str) -> None:
        await self.send(text_data=frame)

    async def _close_slow(self) -> None:
        await self.close(code=SLOW_CONSUMER_CLOSE_CODE)
