"""Signed ``/api/v3`` requests for Django tests, made the way the clients make them: HMAC-SHA256
hex over the raw query string followed by the raw body, the signature last, the key in
``X-MBX-APIKEY``."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.test import Client

from paperex.apps.accounts.models import User
from paperex.apps.apikeys.services import apikey_create
from paperex.support.clock import wall_clock_ms

FORM = "application/x-www-form-urlencoded"

LIMIT_BUY = {
    "symbol": "BTCUSDT",
    "side": "BUY",
    "type": "LIMIT",
    "timeInForce": "GTC",
    "quantity": "0.5",
    "price": "20000",
}
"""A resting BTCUSDT buy far below the market (the tests' starting balances pay for it)."""


def hmac_hex(secret: str, payload: str) -> str:
    """The hex HMAC-SHA256 of ``payload`` under ``secret``."""
    return hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()


@dataclass
class SignedClient:
    """A user's HMAC key and a Django test client that signs every request with it."""

    user: User
    api_key: str
    secret: str
    client: Client = field(default_factory=Client)

    @classmethod
    def of(cls, user: User) -> SignedClient:
        """A new HMAC key of ``user``'s."""
        created = apikey_create(user_id=user.pk, label="tests")
        assert created.secret_key is not None
        return cls(user, created.key.api_key, created.secret_key)

    def signed_parts(
        self,
        method: str,
        parameters: dict[str, Any] | None = None,
        *,
        in_body: bool | None = None,
        timestamp: int | None = None,
        recv_window: int | None = None,
        secret: str | None = None,
        api_key: str | None = "",
        signature: str | None = None,
    ) -> tuple[str, str, dict[str, str]]:
        """The query string, form body and headers of a signed ``method`` request with
        ``parameters``: in the form body for POST (and when ``in_body``), else in the query
        string. ``timestamp``, ``secret``, ``api_key`` (None: no header) and ``signature``
        replace the right ones."""
        signed = {**(parameters or {}), "timestamp": timestamp or wall_clock_ms()}
        if recv_window is not None:
            signed["recvWindow"] = recv_window
        encoded = urlencode(signed)
        body_side = method == "POST" if in_body is None else in_body
        mac = signature or hmac_hex(secret or self.secret, encoded)
        encoded += f"&signature={mac}"
        query, body = ("", encoded) if body_side else (encoded, "")
        headers = {} if api_key is None else {"X-MBX-APIKEY": api_key or self.api_key}
        return query, body, headers

    def request(
        self,
        method: str,
        path: str,
        parameters: dict[str, Any] | None = None,
        **options: Any,
    ) -> Any:
        """``method /api/v3/<path>`` with ``parameters`` signed (``signed_parts``)."""
        query, body, headers = self.signed_parts(method, parameters, **options)
        return self.client.generic(
            method,
            f"/api/v3/{path}" + (f"?{query}" if query else ""),
            data=body,
            content_type=FORM,
            headers=headers,
        )

    def get(self, path: str, parameters: dict[str, Any] | None = None, **options: Any) -> Any:
        """A signed GET."""
        return self.request("GET", path, parameters, **options)

    def post(self, path: str, parameters: dict[str, Any] | None = None, **options: Any) -> Any:
        """A signed POST (parameters in the body)."""
        return self.request("POST", path, parameters, **options)

    def delete(self, path: str, parameters: dict[str, Any] | None = None, **options: Any) -> Any:
        """A signed DELETE (parameters in the query, or the body with ``in_body=True``)."""
        return self.request("DELETE", path, parameters, **options)
