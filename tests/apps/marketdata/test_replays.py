from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest
import redis
from django.db import connection
from django.test import Client
from rest_framework.test import APIClient

from paperex.apps.accounts.models import User
from paperex.apps.marketdata.feeds import trading_instruments
from paperex.apps.marketdata.models import ReplaySession
from paperex.apps.marketdata.replay_services import replay_session_create
from paperex.apps.marketdata.replays import replay_session_run
from paperex.apps.marketdata.tasks import replay_session_task
from paperex.apps.markets.models import Candle
from paperex.marketdata.bus import LocalBus, redis_channel
from paperex.marketdata.recording import record
from paperex.marketdata.synthetic import MarketSettings, SyntheticFeed
from paperex.support.async_tasks import cancel_and_wait
from tests.support.waiting import async_wait_until, wait_until

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def recordings(settings, tmp_path: Path, seeded: None) -> Path:  # type: ignore[no-untyped-def]
    """A recordings folder with two minutes of BTCUSDT made by the synthetic feed."""
    settings.PAPEREX_DATA_DIR = tmp_path
    folder = tmp_path / "recordings"
    folder.mkdir()
    feed = SyntheticFeed(
        trading_instruments(["BTCUSDT"]),
        speed=None,
        settings=MarketSettings(events_per_second=5),
        start_ms=1_700_000_000_000,
    )
    asyncio.run(record(feed, folder / "btc.jsonl.gz", max_messages=600))
    return folder


@pytest.fixture
def admin_client(recordings: Path) -> APIClient:
    client = APIClient()
    client.force_authenticate(User.objects.create_superuser("root", "r@example.com", "pw-123456"))
    return client


def test_recordings_are_listed_with_their_headers(admin_client: APIClient) -> None:
    listed = admin_client.get("/api/admin/recordings/").json()
    assert [(r["file"], r["venue"], r["symbols"]) for r in listed] == [
        ("btc.jsonl.gz", "synthetic", ["BTCUSDT"])
    ]


def test_only_admins_may_replay(api_client: APIClient, trader: User, recordings: Path) -> None:
    assert api_client.get("/api/admin/replays/").status_code == 401
    api_client.force_authenticate(trader)
    assert api_client.post("/api/admin/replays/", {"file": "btc.jsonl.gz"}).status_code == 403


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"file": "../etc/passwd"}, "not a file name"),
        ({"file": "missing.jsonl.gz"}, "no recording named"),
        ({"file": "btc.jsonl.gz", "speed": "fast"}, "speed must be"),
    ],
)
def test_bad_replay_requests_are_400s(
    admin_client: APIClient, body: dict[str, str], fragment: str
) -> None:
    response = admin_client.post("/api/admin/replays/", body, format="json")
    assert response.status_code == 400
    assert fragment in response.json()["message"]
    assert not ReplaySession.objects.exists()


def test_a_started_replay_without_a_server_runtime_fails_with_a_reason(
    admin_client: APIClient,
    settings,  # type: ignore[no-untyped-def]
) -> None:
    settings.PAPEREX_REDIS_URL = None
    response = admin_client.post(
        "/api/admin/replays/", {"file": "btc.jsonl.gz", "speed": "max"}, format="json"
    )
    assert response.status_code == 202
    session = ReplaySession.objects.get(pk=response.json()["id"])
    assert session.status == ReplaySession.Status.FAILED
    assert "paperex serve" in session.error


def test_a_replay_session_plays_the_file_and_stores_its_candles(recordings: Path) -> None:
    session = ReplaySession.objects.create(file_name="btc.jsonl.gz", speed="max")
    bus = LocalBus()
    trades = bus.subscribe(kinds={"trade"}, maxsize=100_000)
    asyncio.run(replay_session_run(session.pk, bus=bus))
    session.refresh_from_db()
    assert session.status == ReplaySession.Status.FINISHED, session.error
    assert session.messages == 600
    assert session.events >= 600
    assert trades.pending > 0
    assert Candle.objects.filter(market__symbol="BTCUSDT", interval="1m", closed=True).exists()


def test_a_stop_request_stops_a_running_replay(recordings: Path) -> None:
    session = ReplaySession.objects.create(file_name="btc.jsonl.gz", speed="1", loop=True)

    async def run_then_stop() -> None:
        runner = asyncio.create_task(replay_session_run(session.pk, bus=LocalBus()))
        try:
            playing = ReplaySession.objects.filter(
                pk=session.pk, status=ReplaySession.Status.RUNNING, messages__gt=0
            )
            await async_wait_until(playing.aexists, timeout=10, what="the replay playing")
            await ReplaySession.objects.filter(pk=session.pk).aupdate(stop_requested=True)
            await asyncio.wait_for(runner, timeout=10)
        finally:
            await cancel_and_wait(runner)

    asyncio.run(run_then_stop())
    session.refresh_from_db()
    assert session.status == ReplaySession.Status.STOPPED
    assert 0 < session.messages < 600  # stopped on the way, with the file looping
    assert session.finished_at is not None


@pytest.mark.skipif(
    not (os.environ.get("REDIS_URL") and os.environ.get("DATABASE_URL", "").startswith("postgres")),
    reason="needs REDIS_URL and a PostgreSQL DATABASE_URL (a Celery worker in its own process)",
)
def test_with_redis_a_celery_worker_plays_the_replay(
    admin_client: APIClient, recordings: Path
) -> None:
    database = connection.settings_dict
    env = {
        **os.environ,
        # The worker must see the test database, which pytest-django named differently.
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/"
        f"{database['NAME']}",
        "PAPEREX_DATA_DIR": str(recordings.parent),
    }
    worker = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("celery")),
            "-A",
            "paperex.config",
            "worker",
            "--pool",
            "solo",
            "--loglevel",
            "warning",
            "--without-heartbeat",
            "--without-gossip",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        response = admin_client.post(
            "/api/admin/replays/", {"file": "btc.jsonl.gz", "speed": "max"}, format="json"
        )
        assert response.status_code == 202
        ended = ReplaySession.objects.filter(
            pk=response.json()["id"], status__in=["finished", "failed"]
        )
        session = wait_until(ended.first, timeout=60, what="the worker to play the replay")
    finally:
        worker.terminate()
        worker.wait(timeout=20)
    assert session.status == ReplaySession.Status.FINISHED, session.error
    assert session.messages == 600


def test_replays_show_in_the_admin(client: Client, recordings: Path) -> None:
    replay_session_create(file_name="btc.jsonl.gz", speed="1", loop=False, user_id=None)
    client.force_login(User.objects.create_superuser("boss", "b@example.com", "pw-123456"))
    assert client.get("/admin/marketdata/replaysession/").status_code == 200


def test_the_replay_job_of_a_celery_worker_publishes_into_redis_for_every_server(
    recordings: Path,
    redis_url: str,
    settings,  # type: ignore[no-untyped-def]
) -> None:
    settings.PAPEREX_REDIS_URL = redis_url
    session = ReplaySession.objects.create(file_name="btc.jsonl.gz", speed="max")
    listener = redis.Redis.from_url(redis_url).pubsub()
    listener.subscribe(redis_channel(redis_url))
    try:
        replay_session_task(session.pk)  # the job's body, as a worker runs it
        published = 0
        while (message := listener.get_message(timeout=1)) is not None:
            published += message["type"] == "message"
    finally:
        listener.close()
    session.refresh_from_db()
    assert session.status == ReplaySession.Status.FINISHED, session.error
    assert session.messages == 600
    assert published >= 600  # every event of the recording, at least one per message
