"""The order lane's keys in memory: bounded, the oldest out first, evicted on demand."""

from __future__ import annotations

from paperex.apps.apikeys.key_cache import KeyCache
from paperex.apps.apikeys.models import ApiKey


def key(name: str) -> ApiKey:
    return ApiKey(api_key=name, user_id=1)


def test_a_full_cache_lets_its_oldest_key_go() -> None:
    cache = KeyCache(size=2)
    first, second, third = key("a"), key("b"), key("c")
    for kept in (first, second, third):
        cache.put(kept)
    assert [cache.get(name) for name in "abc"] == [None, second, third]


def test_an_evicted_key_is_gone_and_evicting_an_unknown_one_does_nothing() -> None:
    cache = KeyCache()
    cache.put(key("a"))
    cache.evict("a")
    cache.evict("never kept")
    assert cache.get("a") is None
