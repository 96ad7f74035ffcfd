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


def shared_count(store: redis.Redis, counted: str) -> int:
    """What the servers have shared of the count ``counted`` (e.g. ``address:127.0.0.1``),
    over every window."""
    keys = list(store.scan_iter(f"{KEY_PREFIX}{counted}:*"))
    return sum(int(value) for value in store.mget(keys)) if keys else 0


def alternate_between_two_servers(
    tmp_path: Path, redis_url: str, limit: dict[str, str], path: str, counted: str
) -> list[httpx.Response]:
    """``2 * LIMIT`` GETs of ``path`` sent in turn to two servers on one Redis, each after the
    other server's count of ``counted`` has been shared (one weight per request)."""
    store = redis.Redis.from_url(redis_url)
    stale = list(store.scan_iter(f"{KEY_PREFIX}*"))
    if stale:
        store.delete(*stale)
    with prepared_environment(tmp_path) as env:
        env = {
            **env,
            **limit,
            "REDIS_URL": redis_url,
            "PAPEREX_RUN_ENGINE": "false",
            "PAPEREX_RUN_FEEDS": "false",
        }
        with running_server(env, ready=False) as one, running_server(env, ready=False) as two:
            answers = []
            for url in itertools.islice(itertools.cycle([one, two]), 2 * LIMIT):
                answers.append(httpx.get(f"{url}{path}", timeout=10))
                # Let the server share its count before the next request goes to the other.
                allowed = sum(answer.status_code == 200 for answer in answers)
                wait_until(
                    lambda: shared_count(store, counted) == allowed,  # noqa: B023
                    timeout=50 * SHARE_SECONDS,
                    what=f"{allowed} requests counted in Redis",
                )
                # Each server learns the shared totals once per round: the limit holds across
                # servers "within SHARE_SECONDS", which is what this waits out.
                time.sleep(3 * SHARE_SECONDS)
    return answers


def test_two_servers_on_one_redis_count_an_address_together(tmp_path: Path, redis_url: str) -> None:
    answers = alternate_between_two_servers(
        tmp_path,
        redis_url,
        {"PAPEREX_RATE_LIMIT_ADDRESS": f"{LIMIT}/1h"},
        "/api/markets/",
        "address:127.0.0.1",
    )
    statuses = [answer.status_code for answer in answers]
    assert statuses == [200] * LIMIT + [429] * LIMIT  # one server alone would allow 2 * LIMIT
    refused = answers[-1]
    assert refused.json()["limit"] == "address"
    assert int(refused.headers["Retry-After"]) > 60


def test_two_servers_on_one_redis_share_the_binance_request_weight(
    tmp_path: Path, redis_url: str
) -> None:
    answers = alternate_between_two_servers(
        tmp_path,
        redis_url,
        {"PAPEREX_RATE_LIMIT_BINANCE_WEIGHT": f"{LIMIT}/1h"},
        "/api/v3/ping",
        "binance_weight:address:127.0.0.1",
    )
    allowed = answers[:LIMIT]
    assert [answer.status_code for answer in allowed] == [200] * LIMIT
    used = [int(answer.headers["X-MBX-USED-WEIGHT-1M"]) for answer in allowed]
    # A process learns the shared total of a window once it counts in it itself: the second
    # server's first answer knows only its own request; after that each saw the other's.
    assert used[:2] == [1, 1]
    assert used[2:] == list(range(3, LIMIT + 1))
    assert [answer.status_code for answer in answers[LIMIT:]] == [429] * LIMIT
    assert answers[-1].json() == {
        "code": -1003,
        "msg": f"Too much request weight used; current limit is {LIMIT} request weight per "
        "HOUR. Please use WebSocket Streams for live updates to avoid polling the API.",
    }
    assert int(answers[-1].headers["Retry-After"]) > 60
