"""Two processes run the new-listings job at the same time over one database and Redis: each
user is told of each new listing once (the unique history row decides), on the user stream's
group and in the alert history."""

from __future__ import annotations

import asyncio
import json
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from channels_redis.core import RedisChannelLayer

from tests.integration.servers import PAPEREX, prepared_environment

pytestmark = pytest.mark.integration

RUN_JOB = """
import asyncio
import pathlib
import time
from paperex.apps.listings import services
from paperex.marketdata.listings import SyntheticListingSource
from paperex.marketdata.listings.synthetic import LISTINGS_EPOCH_MS
HOUR = 3_600_000
services.listing_source = lambda venue: SyntheticListingSource(
    seed=0, every_ms=HOUR, clock_ms=lambda: LISTINGS_EPOCH_MS + {listed} * HOUR
)
start = pathlib.Path({start!r})
if start.parent.exists():  # run at once with the other process: both ready, then both go
    (start.parent / str({number})).touch()
    while not start.exists():
        time.sleep(0.005)
asyncio.run(services.listings_check_everyone(["synthetic"]))
"""
ADD_BOB = """
from paperex.apps.accounts.services import user_register
from paperex.apps.accounts.models import User
user_register(username="bob", password="correct-horse-battery")
print(json.dumps([User.objects.get(username=name).pk for name in ("demo", "bob")]))
"""
COUNT_HISTORY = """
from paperex.apps.alerts.models import AlertTrigger
print(json.dumps(sorted(AlertTrigger.objects.values_list("user_id", "symbol"))))
"""


@pytest.fixture
def env(redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    with prepared_environment(tmp_path_factory.mktemp("listings-data")) as prepared:
        yield {**prepared, "REDIS_URL": redis_url}


def shell(env: dict[str, str], code: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*PAPEREX, "manage", "shell", "-c", "import json\n" + code],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def output(process: subprocess.Popen[str]) -> str:
    """The last line the process printed."""
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 0, stderr
    return stdout.strip().splitlines()[-1] if stdout.strip() else ""


def started_together(env: dict[str, str], rendezvous: Path) -> list[subprocess.Popen[str]]:
    """The job in two processes, let go together once both have started up."""
    rendezvous.mkdir()
    start = rendezvous / "start"
    jobs = [shell(env, RUN_JOB.format(listed=2, start=str(start), number=n)) for n in range(2)]
    deadline = time.monotonic() + 120
    while len(list(rendezvous.iterdir())) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    start.touch()
    return jobs


async def alerts_received(
    redis_url: str, user_ids: list[int], env: dict[str, str], rendezvous: Path
) -> Counter[tuple[int, str]]:
    """Run the job in two processes at once while listening to each user's group: how many
    alerts each (user, symbol) got."""
    layer = RedisChannelLayer(hosts=[redis_url], prefix="paperex")
    channels = {user_id: await layer.new_channel() for user_id in user_ids}
    for user_id, channel in channels.items():
        await layer.group_add(f"user.{user_id}", channel)
    jobs = started_together(env, rendezvous)
    await asyncio.gather(*(asyncio.to_thread(output, job) for job in jobs))
    received: Counter[tuple[int, str]] = Counter()
    for user_id, channel in channels.items():
        while True:
            try:
                message = await asyncio.wait_for(layer.receive(channel), timeout=1)
            except TimeoutError:
                break
            received[(user_id, message["alert"]["symbol"])] += 1
    await layer.flush()
    return received


def test_two_processes_tell_each_user_of_each_new_listing_once(
    env: dict[str, str], redis_url: str, tmp_path: Path
) -> None:
    user_ids = json.loads(output(shell(env, ADD_BOB)))
    alone = RUN_JOB.format(listed=0, start=str(tmp_path / "none" / "start"), number=0)
    output(shell(env, alone))  # everyone's first check: the snapshot
    received = asyncio.run(alerts_received(redis_url, user_ids, env, tmp_path / "rendezvous"))
    assert len(received) == 4  # two new symbols for each of two users
    assert set(received.values()) == {1}  # each told once
    history = json.loads(output(shell(env, COUNT_HISTORY)))
    assert len(history) == 4
    assert Counter(user_id for user_id, _ in history) == {user_ids[0]: 2, user_ids[1]: 2}
