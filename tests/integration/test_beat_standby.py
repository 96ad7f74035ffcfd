"""Two Celery beat processes with ``LeadScheduler``: one leads and sends the schedule, the other
stands by; when the leader is paused (SIGSTOP) the standby takes over within the failover bound
and continues the schedule, the paused leader sends nothing when it continues, and it takes
over again when the new leader is killed. Every task message names the process that sent it
(Celery's ``origin`` header). PostgreSQL for the lead, a Redis server of the test's own."""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import redis

from tests.support.databases import own_database
from tests.support.network import unused_port
from tests.support.processes import logged_process, seconds_until
from tests.support.redis_server import redis_server
from tests.support.topology import ON_THE_TOPOLOGY
from tests.support.waiting import wait_until

pytestmark = ON_THE_TOPOLOGY
INTERVAL = 2.0
FAILOVER_SECONDS = 5.0
BEAT_APP = f"""
import django
django.setup()
from celery import Celery
from django.conf import settings

app = Celery("beat-standby", broker=settings.CELERY_BROKER_URL)
app.conf.beat_scheduler = settings.CELERY_BEAT_SCHEDULER
app.conf.beat_schedule = {{"tick": {{"task": "beat_standby.tick", "schedule": {INTERVAL}}}}}
"""


class Sent:
    """The task messages beat sent, as they reach the broker's queue: (arrival, sender pid)."""

    def __init__(self, url: str) -> None:
        self.messages: list[tuple[float, int]] = []
        self._client = redis.Redis.from_url(url)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        while not self._stop.is_set():
            popped = self._client.blpop(["celery"], timeout=0.2)
            if popped is not None:
                origin = json.loads(popped[1])["headers"]["origin"]  # "gen<pid>@<host>"
                self.messages.append((time.monotonic(), int(origin[3:].split("@")[0])))

    def by(self, pid: int) -> list[float]:
        return [arrived for arrived, sender in self.messages if sender == pid]

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


def beat(
    env: dict[str, str], log: Path
) -> contextlib.AbstractContextManager[subprocess.Popen[bytes]]:
    celery = [sys.executable, "-m", "celery", "-A", "beat_app", "beat", "--loglevel", "INFO"]
    return logged_process(celery, env, log, sign="beat: Starting")


def test_a_standby_beat_continues_the_schedule_and_a_paused_leader_sends_nothing(
    tmp_path: Path,
) -> None:
    (tmp_path / "beat_app.py").write_text(BEAT_APP)
    port = unused_port()
    url = f"redis://127.0.0.1:{port}/0"
    with own_database(os.environ["DATABASE_URL"]) as database, redis_server(port):
        env = {
            **os.environ,
            "DATABASE_URL": database,
            "REDIS_URL": url,
            "PAPEREX_DATA_DIR": str(tmp_path / "data"),
            "PAPEREX_LEAD_SECONDS": "2",
            "PYTHONPATH": os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")]),
        }
        sent = Sent(url)
        first_log, second_log = tmp_path / "first.log", tmp_path / "second.log"
        try:
            with beat(env, first_log) as first:
                seconds_until(first_log, "beat leading", time.monotonic())
                with beat(env, second_log) as second:
                    wait_until(lambda: len(sent.by(first.pid)) >= 2, timeout=15, what="sends")

                    paused = time.monotonic()
                    first.send_signal(signal.SIGSTOP)
                    assert seconds_until(second_log, "beat leading", paused) < FAILOVER_SECONDS
                    wait_until(lambda: sent.by(second.pid), timeout=10, what="second sends")
                    sent_before_waking = len(sent.by(first.pid))
                    first.send_signal(signal.SIGCONT)
                    time.sleep(2 * INTERVAL)  # time for a fencing failure to show
                    assert len(sent.by(first.pid)) == sent_before_waking
                    assert all(arrived < paused + 0.5 for arrived in sent.by(first.pid))

                    killed = time.monotonic()
                    second.kill()
                    took = seconds_until(first_log, "beat leading", killed, times=2)
                    assert took < FAILOVER_SECONDS
                    wait_until(
                        lambda: len(sent.by(first.pid)) > sent_before_waking,
                        timeout=10,
                        what="first sends again",
                    )
        finally:
            sent.stop()
        arrivals = [arrived for arrived, _ in sent.messages]
        gaps = [later - earlier for earlier, later in itertools.pairwise(arrivals)]
        # Each run once: a successor continues the schedule rather than firing again at once.
        assert min(gaps) > INTERVAL / 2, gaps
