"""Writes for API keys: create (HMAC with a new secret, or Ed25519 with the user's public key)
and revoke."""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    PublicFormat,
    load_pem_public_key,
)
from django.utils import timezone

from paperex.apps.apikeys.models import API_KEY_LENGTH, LABEL_MAX_LENGTH, ApiKey
from paperex.apps.apikeys.secret_box import secret_encrypt
from paperex.apps.core.errors import ErrorCode, PaperexError

KEY_ALPHABET = string.ascii_letters + string.digits
SECRET_LENGTH = 64
MAX_ACTIVE_KEYS = 30
"""Binance's own limit of keys per account."""


@dataclass(frozen=True)
class CreatedApiKey:
    """A new key and, for an HMAC key, its secret: the only time the secret is told."""

    key: ApiKey
    secret_key: str | None


class PublicKeyError(PaperexError):
    """A ``public_key`` that is not an Ed25519 public key in PEM (a 400 naming the field)."""

    def __init__(self, message: str) -> None:
        super().__init__(
            ErrorCode.INVALID, f"public_key: {message}", fields={"public_key": [message]}
        )


def _random_text(length: int) -> str:
    return "".join(secrets.choice(KEY_ALPHABET) for _ in range(length))


def ed25519_public_key_pem(text: str) -> str:
    """The key of ``text`` in the canonical PEM form; raises PublicKeyError for anything that is
    not one Ed25519 public key in PEM."""
    try:
        loaded = load_pem_public_key(text.strip().encode())
    except (ValueError, TypeError, UnsupportedAlgorithm) as error:
        raise PublicKeyError("Not a public key in PEM format.") from error
    if not isinstance(loaded, Ed25519PublicKey):
        raise PublicKeyError("Only Ed25519 public keys are accepted.")
    return loaded.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo).decode("ascii")


def apikey_create(*, user_id: int, label: str, public_key: str | None = None) -> CreatedApiKey:
    """A new active key of the user's: Ed25519 when ``public_key`` (PEM) is given, else HMAC
    with a new secret (returned once, stored encrypted). Raises PublicKeyError for a bad key,
    PaperexError (invalid) for an empty or too long label, and PaperexError
    (too_many_api_keys) when the user already has ``MAX_ACTIVE_KEYS`` active keys."""
    label = label.strip()
    if not 1 <= len(label) <= LABEL_MAX_LENGTH:
        message = f"A label of 1 to {LABEL_MAX_LENGTH} characters is needed."
        raise PaperexError(ErrorCode.INVALID, f"label: {message}", fields={"label": [message]})
    pem = ed25519_public_key_pem(public_key) if public_key is not None else None
    if ApiKey.objects.filter(user_id=user_id, revoked_at=None).count() >= MAX_ACTIVE_KEYS:
        raise PaperexError(
            ErrorCode.TOO_MANY_API_KEYS,
            f"You have {MAX_ACTIVE_KEYS} API keys; revoke one before creating another.",
        )
    api_key = _random_text(API_KEY_LENGTH)
    if pem is not None:
        key = ApiKey.objects.create(
            user_id=user_id,
            label=label,
            api_key=api_key,
            kind=ApiKey.Kind.ED25519,
            public_key=pem,
        )
        return CreatedApiKey(key=key, secret_key=None)
    secret_key = _random_text(SECRET_LENGTH)
    key = ApiKey.objects.create(
        user_id=user_id,
        label=label,
        api_key=api_key,
        kind=ApiKey.Kind.HMAC,
        secret_encrypted=secret_encrypt(secret=secret_key, api_key=api_key),
    )
    return CreatedApiKey(key=key, secret_key=secret_key)


def apikey_revoke(*, user_id: int, api_key_id: int) -> bool:
    """Revoke one of the user's active keys at once (signed requests with it fail from now on);
    False when the user has no such active key."""
    revoked = ApiKey.objects.filter(user_id=user_id, id=api_key_id, revoked_at=None).update(
        revoked_at=timezone.now()
    )
    return revoked > 0
