"""A WebSocket API client for consumer tests: requests in Binance's frames, signed as the clients
sign them (the params but ``signature`` sorted by name and joined as ``name=value``; HMAC hex
or Ed25519 base64), and the frames that come back sorted into responses and events."""

from __future__ import annotations

import base64
import itertools
from dataclasses import dataclass, field
from typing import Any

from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from paperex.apps.accounts.models import User
from paperex.apps.apikeys.services import apikey_create
from paperex.config.asgi import application
from paperex.support.clock import wall_clock_ms
from tests.apps.binance.signing import hmac_hex

TIMEOUT = 10


@dataclass(frozen=True)
class Key:
    """An API key of a user's and how it signs: an HMAC secret, or an Ed25519 private key."""

    user: User
    api_key: str
    secret: str | None = None
    private_key: Ed25519PrivateKey | None = None

    def sign(self, payload: str) -> str:
        if self.private_key is not None:
            return base64.b64encode(self.private_key.sign(payload.encode())).decode()
        assert self.secret is not None
        return hmac_hex(self.secret, payload)

    def signed(self, params: dict[str, Any], **replaced: Any) -> dict[str, Any]:
        """``params`` with ``apiKey``, ``timestamp`` and ``signature`` (``replaced`` overrides
        any, before signing; ``signature=`` replaces the one computed)."""
        signature = replaced.pop("signature", None)
        full = {"apiKey": self.api_key, "timestamp": wall_clock_ms(), **params, **replaced}
        payload = "&".join(f"{name}={text(value)}" for name, value in sorted(full.items()))
        return {**full, "signature": signature or self.sign(payload)}


def text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


async def hmac_key(user: User) -> Key:
    created = await sync_to_async(apikey_create)(user_id=user.pk, label="ws")
    return Key(user, created.key.api_key, secret=created.secret_key)


async def ed25519_key(user: User) -> Key:
    private_key = Ed25519PrivateKey.generate()
    pem = private_key.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    created = await sync_to_async(apikey_create)(
        user_id=user.pk, label="ws-ed", public_key=pem.decode()
    )
    return Key(user, created.key.api_key, private_key=private_key)


@dataclass
class WsApi:
    """One connection to ``/ws-api/v3``."""

    socket: WebsocketCommunicator
    events: list[dict[str, Any]] = field(default_factory=list)
    ids: itertools.count[int] = field(default_factory=itertools.count)

    @classmethod
    async def open(cls, query: str = "") -> WsApi:
        socket = WebsocketCommunicator(application, "/ws-api/v3" + query)
        connected, _ = await socket.connect()
        assert connected
        return cls(socket)

    async def send(self, frame: Any) -> None:
        await self.socket.send_json_to(frame)

    async def next_response(self) -> dict[str, Any]:
        """The next response (events on the way are kept in ``events``)."""
        while True:
            frame: dict[str, Any] = await self.socket.receive_json_from(timeout=TIMEOUT)
            if "subscriptionId" in frame and "event" in frame:
                self.events.append(frame)
            else:
                return frame

    async def call(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        """Send a request and return its response (checking the id came back)."""
        request_id = next(self.ids)
        frame: dict[str, Any] = {"id": request_id, "method": method}
        if params is not None:
            frame["params"] = params
        await self.send(frame)
        response = await self.next_response()
        assert response["id"] == request_id, response
        return response

    async def result(self, method: str, params: dict[str, Any] | None = None) -> Any:
        """A request's result; fails on an error."""
        response = await self.call(method, params)
        assert response["status"] == 200, response
        return response["result"]

    async def next_event(self) -> dict[str, Any]:
        """The next user data stream frame, ``{"subscriptionId", "event"}``."""
        if self.events:
            return self.events.pop(0)
        frame: dict[str, Any] = await self.socket.receive_json_from(timeout=TIMEOUT)
        assert "event" in frame, frame
        return frame

    async def events_until(self, count: int) -> list[dict[str, Any]]:
        return [await self.next_event() for _ in range(count)]

    async def close(self) -> None:
        await self.socket.disconnect()
