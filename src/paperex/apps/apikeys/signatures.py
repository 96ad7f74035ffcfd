"""Verification of Binance-style signed requests (the ``/api/v3`` facade and its WebSocket API
``/ws-api/v3`` call it; ``signature_verify`` is the check both share).

A signed request carries its API key in the ``X-MBX-APIKEY`` header and ``timestamp``,
``recvWindow`` (optional) and ``signature`` among its parameters, in the query string, the
form body, or both. The signed payload is the raw query string followed, with no separator, by
the raw body, each without its ``signature=`` parameter: the bytes as they arrived, so that
whatever percent-encoding the client signed is what is checked. HMAC-SHA256 keys sign with a hex
digest (case-insensitive); Ed25519 keys with a base64 signature (case-sensitive, often
percent-encoded, as ccxt sends it).

Every refusal is a ``SignedRequestError`` carrying Binance's code, its message verbatim and the
HTTP status Binance answers with (401 for the key errors, 400 for the rest); the facade renders
it as Binance's ``{"code", "msg"}``. The checks run in this order: the key's format (-2014), the
key itself (-2015: unknown, revoked or unreadable), the mandatory ``timestamp`` and
``signature`` (-1102; a repeated signature of a REST request is -1101 first), ``recvWindow``
(-1102), the time window (-1021), and the signature (-1022).

Where Binance's documents leave a choice open (reference binance-compat.md §4.4, §8), this
module chooses: a missing key header is -2014 (what clients see from Binance in practice); a
``recvWindow`` above 60000 is -1102 with the current errors.md wording (the older -1131 "recvWindow
must be less than 60000" is gone from errors.md); -2014/-2015 are HTTP 401, the rest 400.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from collections.abc import Callable, Sequence
from decimal import Decimal
from functools import lru_cache
from typing import TypeGuard
from urllib.parse import parse_qsl, unquote

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from paperex.apps.apikeys.models import API_KEY_LENGTH, ApiKey
from paperex.apps.apikeys.secret_box import (
    SECRETS_REMEMBERED,
    SecretUnreadableError,
    secret_decrypt,
)
from paperex.apps.apikeys.selectors import apikey_active_get

DEFAULT_RECV_WINDOW_MS = Decimal(5000)
MAX_RECV_WINDOW_MS = Decimal(60000)
AHEAD_TOLERANCE_MS = 1000
"""A timestamp up to (not including) a second ahead of the server's clock is accepted."""
MICROSECOND_TIMESTAMP_FROM = 10**14
"""Timestamps at least this large are in microseconds (a millisecond one reaches it in 5138)."""

API_KEY_PATTERN = re.compile(rf"[A-Za-z0-9]{{{API_KEY_LENGTH}}}")
HEX_SIGNATURE_PATTERN = re.compile(r"[0-9a-fA-F]{64}")
RECV_WINDOW_PATTERN = re.compile(r"[0-9]{1,18}(\.[0-9]{1,3})?")
TIMESTAMP_PATTERN = re.compile(r"[0-9]{1,19}")
SIGNATURE_NAME = b"signature"
KeyRead = Callable[..., ApiKey]
"""Reads the active key of ``api_key=``; raises ApiKey.DoesNotExist (unknown or revoked)."""


class SignedRequestError(Exception):
    """A signed request refused: Binance's ``code``, its ``message`` and the HTTP ``status``."""

    def __init__(self, code: int, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status

    def body(self) -> dict[str, int | str]:
        """Binance's error body: ``{"code": -1022, "msg": "..."}``."""
        return {"code": self.code, "msg": self.message}


def api_key_format_invalid() -> SignedRequestError:
    return SignedRequestError(-2014, "API-key format invalid.", status=401)


def api_key_rejected() -> SignedRequestError:
    return SignedRequestError(-2015, "Invalid API-key, IP, or permissions for action.", status=401)


def signature_invalid() -> SignedRequestError:
    return SignedRequestError(-1022, "Signature for this request is not valid.")


def mandatory_parameter_missing(name: str) -> SignedRequestError:
    return SignedRequestError(
        -1102, f"Mandatory parameter '{name}' was not sent, was empty/null, or malformed."
    )


def recv_window_too_large() -> SignedRequestError:
    return SignedRequestError(
        -1102,
        f"'recvWindow' contains unexpected value. Cannot be greater than {MAX_RECV_WINDOW_MS}.",
    )


def duplicate_parameter() -> SignedRequestError:
    return SignedRequestError(-1101, "Duplicate values for a parameter detected.")


def outside_recv_window() -> SignedRequestError:
    return SignedRequestError(-1021, "Timestamp for this request is outside of the recvWindow.")


def ahead_of_server() -> SignedRequestError:
    return SignedRequestError(
        -1021, "Timestamp for this request was 1000ms ahead of the server's time."
    )


def request_parameters(query_string: bytes, body: bytes) -> dict[str, str]:
    """The parameters of a request sent in its query string and its form body; a parameter in
    both takes the query string's value (as Binance does)."""
    parameters = form_pairs(body.decode("utf-8", "replace"))
    parameters.update(form_pairs(query_string.decode("utf-8", "replace")))
    return parameters


def form_pairs(text: str) -> dict[str, str]:
    """The name=value pairs of a query string or form body, as ``parse_qsl`` reads them with
    blank values kept (the last of a repeated name wins). Text with nothing to decode (no
    ``%``, no ``+``: what bots send for orders) is split directly, at a fraction of the cost."""
    if "%" in text or "+" in text:
        return dict(parse_qsl(text, keep_blank_values=True))
    pairs = {}
    for item in text.split("&"):
        if item:
            name, _, value = item.partition("=")
            pairs[name] = value
    return pairs


def split_signature(part: bytes) -> tuple[bytes, list[bytes]]:
    """``part`` (a raw query string or body) without its ``signature=`` parameters, and their
    raw values."""
    kept: list[bytes] = []
    signatures: list[bytes] = []
    for item in part.split(b"&") if part else []:
        name, _, value = item.partition(b"=")
        if name == SIGNATURE_NAME:
            signatures.append(value)
        else:
            kept.append(item)
    return b"&".join(kept), signatures


def signed_payload(query_string: bytes, body: bytes) -> tuple[bytes, list[bytes]]:
    """The bytes a client signs (query then body, no separator, without the signature) and the
    raw signature values found in either."""
    query_rest, query_signatures = split_signature(query_string)
    body_rest, body_signatures = split_signature(body)
    return query_rest + body_rest, query_signatures + body_signatures


def timestamp_check(*, timestamp: str | None, recv_window: str | None, now_ms: int) -> None:
    """Nothing when ``timestamp`` (ms, or µs) is within ``recv_window`` ms (default 5000, at
    most 60000, up to 3 decimals) before ``now_ms`` and less than a second ahead of it; raises
    SignedRequestError (-1102 malformed, -1021 outside the window) otherwise."""
    if timestamp is None or not TIMESTAMP_PATTERN.fullmatch(timestamp):
        raise mandatory_parameter_missing("timestamp")
    if recv_window is None:
        window_ms = DEFAULT_RECV_WINDOW_MS
    else:
        if not RECV_WINDOW_PATTERN.fullmatch(recv_window):
            raise mandatory_parameter_missing("recvWindow")
        window_ms = Decimal(recv_window)  # the pattern admits plain decimals only
        if window_ms > MAX_RECV_WINDOW_MS:
            raise recv_window_too_large()
    sent = int(timestamp)
    sent_us = sent if sent >= MICROSECOND_TIMESTAMP_FROM else sent * 1000
    now_us = now_ms * 1000
    if sent_us >= now_us + AHEAD_TOLERANCE_MS * 1000:
        raise ahead_of_server()
    if now_us - sent_us > window_ms * 1000:
        raise outside_recv_window()


def hmac_signature_valid(*, secret: str, payload: bytes, signature: str) -> bool:
    """Whether ``signature`` is the hex HMAC-SHA256 of ``payload`` under ``secret``."""
    if not HEX_SIGNATURE_PATTERN.fullmatch(signature):
        return False
    # Not hmac.digest: it lets go of the GIL for any payload, and on the event loop the wait to
    # get it back from a busy thread (the engine's) cost ~30 µs an order, fifteen times the hash.
    # An HMAC object lets go of it only for payloads of 2 KiB and more.
    mac = _keyed_hmac(secret).copy()
    mac.update(payload)
    return hmac.compare_digest(mac.hexdigest(), signature.lower())


@lru_cache(maxsize=SECRETS_REMEMBERED)
def _keyed_hmac(secret: str) -> hmac.HMAC:
    """An HMAC-SHA256 of ``secret`` that has hashed nothing yet, to be copied for each payload:
    the key's own hashing is done once, not for every signed request."""
    return hmac.new(secret.encode(), digestmod=hashlib.sha256)


def ed25519_signature_valid(*, public_key_pem: str, payload: bytes, signature: str) -> bool:
    """Whether ``signature`` (base64) is an Ed25519 signature of ``payload`` by the key."""
    try:
        raw = base64.b64decode(signature, validate=True)
    except (binascii.Error, ValueError):
        return False
    public_key = load_pem_public_key(public_key_pem.encode())
    if not isinstance(public_key, Ed25519PublicKey):  # checked when it was stored
        return False
    try:
        public_key.verify(raw, payload)
    except InvalidSignature:
        return False
    return True


def key_signature_valid(*, key: ApiKey, payload: bytes, signature: str) -> bool:
    """Whether ``signature`` signs ``payload`` with ``key``; raises SignedRequestError (-2015)
    when an HMAC key's secret does not decrypt (SECRET_KEY changed)."""
    if key.kind == ApiKey.Kind.ED25519:
        return ed25519_signature_valid(
            public_key_pem=key.public_key, payload=payload, signature=signature
        )
    try:
        secret = secret_decrypt(stored=key.secret_encrypted, api_key=key.api_key)
    except SecretUnreadableError as error:
        raise api_key_rejected() from error
    return hmac_signature_valid(secret=secret, payload=payload, signature=signature)


def api_key_valid(api_key: str | None) -> TypeGuard[str]:
    """Whether ``api_key`` has the form of a key (else -2014)."""
    return api_key is not None and API_KEY_PATTERN.fullmatch(api_key) is not None


def api_key_active(api_key: str | None, key_read: KeyRead | None = None) -> ApiKey:
    """The active key ``api_key`` names, read by ``key_read`` (``apikey_active_get`` by
    default); raises SignedRequestError (-2014 malformed or missing, -2015 unknown or
    revoked)."""
    if not api_key_valid(api_key):
        raise api_key_format_invalid()
    try:
        return (key_read or apikey_active_get)(api_key=api_key)
    except ApiKey.DoesNotExist as missing:
        raise api_key_rejected() from missing


def signature_verify(
    *,
    api_key: str | None,
    payloads: Sequence[bytes],
    signature: str,
    timestamp: str | None,
    recv_window: str | None,
    now_ms: int,
    key_read: KeyRead | None = None,
) -> ApiKey:
    """The active key that signed a request: the one verification of REST and the WebSocket
    API alike.

    ``payloads`` are the bytes the client may have signed (REST: the one raw query and body;
    the WebSocket API: its sorted parameters as sent and percent-encoded, as clients differ);
    ``signature`` the request's (empty when absent); ``timestamp`` and ``recv_window`` its
    parameters (None when absent); ``now_ms`` the server's clock; ``key_read`` what reads the
    key (``api_key_active``). Raises SignedRequestError with Binance's code, message and HTTP
    status (module docstring).
    """
    key = api_key_active(api_key, key_read)
    if not timestamp:
        raise mandatory_parameter_missing("timestamp")
    if not signature:
        raise mandatory_parameter_missing("signature")
    timestamp_check(timestamp=timestamp, recv_window=recv_window, now_ms=now_ms)
    if not any(
        key_signature_valid(key=key, payload=payload, signature=signature) for payload in payloads
    ):
        raise signature_invalid()
    return key


def signed_request_verify(
    *,
    api_key: str | None,
    query_string: bytes,
    body: bytes,
    timestamp: str | None,
    recv_window: str | None,
    now_ms: int,
    key_read: KeyRead | None = None,
) -> int:
    """The id of the user whose active key signed this REST request.

    ``api_key`` is the ``X-MBX-APIKEY`` header (None when absent); ``query_string`` and ``body``
    the raw bytes received; ``timestamp`` and ``recv_window`` the request's parameters (None when
    absent; ``request_parameters`` finds them); ``now_ms`` the server's clock; ``key_read``
    what reads the key (``api_key_active``). Raises SignedRequestError with Binance's code,
    message and HTTP status (module docstring).
    """
    payload, signatures = signed_payload(query_string, body)
    if len(signatures) > 1:
        raise duplicate_parameter()
    signature = unquote(signatures[0].decode("ascii", "replace")) if signatures else ""
    key = signature_verify(
        api_key=api_key,
        payloads=(payload,),
        signature=signature,
        timestamp=timestamp,
        recv_window=recv_window,
        now_ms=now_ms,
        key_read=key_read,
    )
    return key.user_id
