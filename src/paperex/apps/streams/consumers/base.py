"""What every Paperex socket does: a bounded outbound queue, topic subscriptions, error frames,
and limits on what a client may send."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

import msgspec
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.sessions import InstanceSessionWrapper

from paperex.apps.core.metrics import limits_hit, websocket_slow_clients
from paperex.apps.streams.fanout.formats import encode
from paperex.apps.streams.fanout.frames import Frame
from paperex.apps.streams.fanout.hub import hub
from paperex.apps.streams.fanout.outbound import SLOW_CONSUMER_CLOSE_CODE, Outbound, OutboundQueue
from paperex.apps.streams.fanout.socket_writer import SocketWriter, socket_protocol

NO_CHANNEL_LAYER = "paperex.streams.hub-only"
"""A channel-layer alias that names no layer: hub sockets get their frames from the hub."""
MAX_MESSAGE_CHARS = 4_096
MESSAGES_PER_SECOND = 20
"""A client may send this many messages a second (a burst of as many); more get an error."""
REFUSALS_TOLERATED = 100
"""Refused messages a client may send in a burst (more than a second of them at the rate of
MESSAGES_PER_SECOND): a client that keeps on after that is closed with FLOODING_CLOSE_CODE."""
FLOODING_CLOSE_CODE = 1008  # policy violation


class MessageRateLimit:
    """A token bucket: ``rate`` a second sustained, bursts of ``burst`` (default: ``rate``)."""

    def __init__(self, rate: float = MESSAGES_PER_SECOND, burst: float | None = None) -> None:
        self.rate = rate
        self.burst = rate if burst is None else burst
        self.tokens = self.burst
        self.updated = time.monotonic()

    def allow(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


class HubConsumer(AsyncWebsocketConsumer):  # type: ignore[misc]
    """A socket whose frames come from the hub through its own bounded queue.

    It joins no channel-layer group, so it does not register a channel with the layer either
    (with Redis that is a reader per connection polling Redis for messages that never come).
    """

    channel_layer_alias = NO_CHANNEL_LAYER

    outbound: Outbound
    topics: set[str]
    messages_per_second: float = MESSAGES_PER_SECOND

    async def start_outbound(self) -> None:
        """Set up the way out; call it after ``accept`` (extensions are negotiated there)."""
        self.topics = set()
        self.rate_limit = MessageRateLimit(self.messages_per_second)
        self.refusals = MessageRateLimit(self.messages_per_second, burst=REFUSALS_TOLERATED)
        self.closed_for_flooding = False
        send = server_send(self.base_send)
        protocol = socket_protocol(send)
        if protocol is not None:
            self.outbound = SocketWriter(protocol, self._close_slow)
        else:
            self.outbound = OutboundQueue(frame_sender(send), self._close_slow)

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
        await self.send(text_data=encode(data).text)
        await self.close(code=code)

    async def decode_request(self, text_data: str | None) -> dict[str, Any] | None:
        """The client's JSON object, or None after replying with an error frame (and closing
        the socket of a client that goes on flooding after many of them)."""
        if self.closed_for_flooding:
            return None  # what was still on its way
        if not self.rate_limit.allow():
            limits_hit.labels("ws_messages").inc()
            if self.refusals.allow():
                self.reply(
                    self.error_frame(
                        f"Too many messages: at most {self.messages_per_second:g} a second."
                    )
                )
            else:
                self.closed_for_flooding = True
                await self.refuse(
                    self.error_frame("Closed for flooding: too many messages after being told."),
                    FLOODING_CLOSE_CODE,
                )
            return None
        if text_data is None:
            self.reply(self.error_frame("Send JSON text frames, not binary."))
            return None
        if len(text_data) > MAX_MESSAGE_CHARS:
            self.reply(
                self.error_frame(f"Message too long: at most {MAX_MESSAGE_CHARS} characters.")
            )
            return None
        try:
            request = msgspec.json.decode(text_data)
        except msgspec.DecodeError as error:
            self.reply(self.error_frame("Malformed JSON.", malformed=str(error)))
            return None
        if not isinstance(request, dict):
            self.reply(self.error_frame("Send a JSON object."))
            return None
        return request

    def error_frame(self, message: str, *, malformed: str | None = None) -> dict[str, Any]:
        """The frame that tells the client its message was refused (``malformed``: the JSON
        decoder's complaint, when the message was not JSON)."""
        return {"error": message}

    async def _close_slow(self) -> None:
        websocket_slow_clients.inc()
        await self.close(code=SLOW_CONSUMER_CLOSE_CODE)


ASGISend = Callable[[dict[str, Any]], Awaitable[None]]


def server_send(send: ASGISend) -> ASGISend:
    """The server's own ``send`` under the session middleware's wrapper, which only acts on
    HTTP responses (session cookies) yet reads the lazy session object on every message."""
    wrapper = getattr(send, "__self__", None)
    while isinstance(wrapper, InstanceSessionWrapper):
        send = wrapper.real_send
        wrapper = getattr(send, "__self__", None)
    return send


def frame_sender(send: ASGISend) -> Callable[[Frame], Awaitable[None]]:
    """A function that sends one text frame through ``send`` (the server's own, so hub frames,
    one call per frame per subscriber, skip the consumer's ``send`` layers)."""

    async def send_frame(frame: Frame) -> None:
        await send({"type": "websocket.send", "text": frame.text})

    return send_frame
