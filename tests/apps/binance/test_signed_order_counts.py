"""The order-count headers count a user's new orders with the limits' counters, so that with
Redis every serving process reports the user's orders in all of them."""

from __future__ import annotations

import pytest
import redis.asyncio as redis_async

from paperex.apps.binance.weights import order_count_headers, order_counted
from paperex.apps.core import limits
from paperex.support.rate_window import SlidingWindowCounts


def fixed_clock() -> float:
    """A moment well inside a 10-second window and a day, so no window ends mid-test."""
    return 1_700_000_003.0


async def shared(counts: SlidingWindowCounts, store: redis_async.Redis) -> None:
    """One round of ``share_counts`` by the process whose counts are ``counts``."""
    original = limits.counts
    limits.counts = counts
    try:
        await limits.share_counts(store)
    finally:
        limits.counts = original


def counted_in(counts: SlidingWindowCounts, user_id: int, orders: int) -> None:
    original = limits.counts
    limits.counts = counts
    try:
        for _ in range(orders):
            order_counted(user_id)
    finally:
        limits.counts = original


def headers_of(counts: SlidingWindowCounts, user_id: int) -> dict[str, str]:
    original = limits.counts
    limits.counts = counts
    try:
        return order_count_headers(user_id)
    finally:
        limits.counts = original


def test_each_user_has_its_own_counts() -> None:
    counts = SlidingWindowCounts(fixed_clock)
    counted_in(counts, 7, 2)
    counted_in(counts, 8, 1)
    assert headers_of(counts, 7) == {"X-MBX-ORDER-COUNT-10S": "2", "X-MBX-ORDER-COUNT-1D": "2"}
    assert headers_of(counts, 8) == {"X-MBX-ORDER-COUNT-10S": "1", "X-MBX-ORDER-COUNT-1D": "1"}


@pytest.mark.asyncio
async def test_order_counts_are_shared_through_redis(redis_url: str) -> None:
    one, other = SlidingWindowCounts(fixed_clock), SlidingWindowCounts(fixed_clock)
    store = redis_async.Redis.from_url(redis_url)
    await store.delete(*[key async for key in store.scan_iter(f"{limits.KEY_PREFIX}*")] or ["-"])
    try:
        counted_in(one, 42, 3)
        await shared(one, store)
        counted_in(other, 42, 2)
        await shared(other, store)
        assert headers_of(other, 42)["X-MBX-ORDER-COUNT-1D"] == "5"
        await shared(one, store)
        assert headers_of(one, 42) == {"X-MBX-ORDER-COUNT-10S": "5", "X-MBX-ORDER-COUNT-1D": "5"}
    finally:
        await store.aclose()
