"""Which API keys are active, as the engine host asks right before it runs a batch.

An order placed with a key (the Binance order lane, which keeps verified keys in memory) names
the key; the host runs it only if the key is still active and its user's, so a key revoked in
any process is refused at once, with no read per request. The host (trading) sits below the
app that keeps the keys (apikeys), which registers the reader when Django starts; with none
registered no keyed command runs.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

ActiveKeysRead = Callable[[Collection[int]], dict[int, int]]
"""Key ids → {key id: its user's id} for the active keys among them."""

_read: ActiveKeysRead | None = None


def active_keys_reader_register(read: ActiveKeysRead) -> None:
    """Make ``read`` the reader of active keys (``ApiKeysConfig.ready``)."""
    global _read
    _read = read


def active_key_holders(key_ids: Collection[int]) -> dict[int, int]:
    """{key id: its user's id} for the active keys among ``key_ids`` (none without a reader)."""
    if _read is None or not key_ids:
        return {}
    return _read(key_ids)
