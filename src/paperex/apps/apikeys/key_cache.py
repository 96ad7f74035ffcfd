"""Active API keys kept in memory by the Binance order lane, so that a signed order reads no key.

Safe because a key verified from here is checked again where it matters: the order names its
key and the engine host runs it only if the key is still active and its user's
(``core.key_holders``), in whichever process the key was revoked. The lane evicts a key the
host refused, and a key whose request was refused for any other reason is read again (it may
have been revoked since: that answer comes first). A key that is not found is never kept.
"""

from __future__ import annotations

from paperex.apps.apikeys.models import ApiKey

KEYS_REMEMBERED = 10_000


class KeyCache:
    """Up to ``size`` active keys by their public key; the oldest goes first when it is full."""

    def __init__(self, size: int = KEYS_REMEMBERED) -> None:
        self.size = size
        self._keys: dict[str, ApiKey] = {}

    def get(self, api_key: str) -> ApiKey | None:
        return self._keys.get(api_key)

    def put(self, key: ApiKey) -> None:
        if len(self._keys) >= self.size:
            del self._keys[next(iter(self._keys))]
        self._keys[key.api_key] = key

    def evict(self, api_key: str) -> None:
        self._keys.pop(api_key, None)


verified_keys = KeyCache()
"""The order lane's keys (one event loop per process: no lock)."""
