"""Encryption of API-key secrets at rest.

An HMAC key's secret must be read back to check a signature, so it cannot be hashed; it is
stored encrypted with AES-256-GCM under a key derived from ``SECRET_KEY`` by HKDF-SHA256 (with a
fixed ``info`` naming this use, so the derived key serves nothing else). The public API key is the
associated data: a ciphertext copied onto another key's row does not decrypt. Changing
``SECRET_KEY`` makes the stored secrets unreadable, and those keys then fail verification
(-2015) until their owners create new ones.

Stored form: ``v1:`` + urlsafe base64 of nonce (12 bytes) + ciphertext and tag.
"""

from __future__ import annotations

import base64
import os
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

HKDF_INFO = b"paperex.apikeys.secret-encryption.v1"
VERSION_PREFIX = "v1:"
NONCE_BYTES = 12
SECRETS_REMEMBERED = 4096
"""Secrets decrypted lately, kept in this process's memory (as each is while a signature is
checked): a signed request costs an HMAC, not a decryption too."""


class SecretUnreadableError(Exception):
    """A stored secret that does not decrypt (another SECRET_KEY, or a damaged value)."""


@lru_cache(maxsize=4)
def _cipher(secret_key: str) -> AESGCM:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=HKDF_INFO).derive(
        secret_key.encode()
    )
    return AESGCM(derived)


def secret_encrypt(*, secret: str, api_key: str) -> str:
    """The stored form of ``secret``, bound to ``api_key``."""
    nonce = os.urandom(NONCE_BYTES)
    sealed = _cipher(settings.SECRET_KEY).encrypt(nonce, secret.encode(), api_key.encode())
    return VERSION_PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode("ascii")


def secret_decrypt(*, stored: str, api_key: str) -> str:
    """The secret of a stored value; raises SecretUnreadableError when it does not decrypt."""
    return _decrypted(stored, api_key, settings.SECRET_KEY)


@lru_cache(maxsize=SECRETS_REMEMBERED)
def _decrypted(stored: str, api_key: str, secret_key: str) -> str:
    if not stored.startswith(VERSION_PREFIX):
        raise SecretUnreadableError("unknown secret format")
    try:
        raw = base64.urlsafe_b64decode(stored[len(VERSION_PREFIX) :])
        plain = _cipher(secret_key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], api_key.encode())
    except (InvalidTag, ValueError) as error:
        raise SecretUnreadableError("the secret does not decrypt") from error
    return plain.decode()
