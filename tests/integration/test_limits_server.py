"""Limits across processes: two servers on one Redis refuse together what one alone would."""

from __future__ import annotations

import itertools
import time
from pathlib import Path

import httpx
import pytest
import redis

from paperex.apps.core.limits import KEY_PREFIX, SHARE_SECONDS
from tests.integration.servers import prepared_environment, running_server
from tests.support.waiting import wait_until

pytestmark = pytest.mark.integration
LIMIT = 12


def shared_count(store: redis.Redis) -> int:
    """The requests from 127.0.0.1 that the servers have shared, over every window."""
    keys = list(store.scan_iter(f"{KEY_PREFIX}address:127.0.0.1:*"))
    return sum(int(value) for value in store.mget(keys)) if keys else 0


def test_two_servers_on_one_redis_count_an_address_together(tmp_path: Path, redis_url: str) -> None:
    store = redis.Redis.from_url(redis_url)
    stale = list(store.scan_iter(f"{KEY_PREFIX}*"))
    if stale:
        store.delete(*stale)
    with prepared_environment(tmp_path) as env:
        env = {
            **env,
            "REDIS_URL": redis_url,
            "PAPEREX_RATE_LIMIT_ADDRESS": f"{LIMIT}/1h",
            "PAPEREX_RUN_ENGINE": "false",
            "PAPEREX_RUN_FEEDS": "false",
        }
        with running_server(env, ready=False) as one, running_server(env, ready=False) as two:
            answers = []
            for url in itertools.islice(itertools.cycle([one, two]), 2 * LIMIT):
                answers.append(httpx.get(f"{url}/api/markets/", timeout=10))
                # Let the server share its count before the next request goes to the other.
                allowed = sum(answer.status_code == 200 for answer in answers)
                wait_until(
                    lambda: shared_count(store) == allowed,  # noqa: B023
                    timeout=50 * SHARE_SECONDS,
                    what=f"{allowed} requests counted in Redis",
                )
                # Each server learns the shared totals once per round: the limit holds across
                # servers "within SHARE_SECONDS", which is what this waits out.
                time.sleep(3 * SHARE_SECONDS)
    statuses = [answer.status_code for answer in answers]
    assert statuses == [200] * LIMIT + [429] * LIMIT  # one server alone would allow 2 * LIMIT
    refused = answers[-1]
    assert refused.json()["limit"] == "address"
    assert int(refused.headers["Retry-After"]) > 60
