"""The trade journal's jobs as an operator runs them: `paperex export-trades` and
`paperex analyze-trades` from the shell, and the daily export on a real Celery worker over a
Redis of the test's own."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from celery import Celery

from tests.integration.servers import CELERY_WORKER, PAPEREX, prepared_environment
from tests.support.network import unused_port
from tests.support.redis_server import NO_REDIS_SERVER, REDIS_SERVER, redis_server
from tests.support.waiting import wait_until

pytestmark = pytest.mark.integration

ADD_TRADES = """
from datetime import datetime, UTC
from paperex.apps.accounts.models import User
from paperex.apps.journal.services import journal_trade_create
demo = User.objects.get(username="demo")
for hour in range(5):
    journal_trade_create(
        user_id=demo.pk, ticker="AAPL", side="BUY" if hour % 2 == 0 else "SELL",
        price=100 + hour, quantity=1, timestamp=datetime(2025, 1, 20, hour, tzinfo=UTC),
    )
"""


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A migrated, seeded database with five trades of the demo user on 2025-01-20."""
    with prepared_environment(tmp_path_factory.mktemp("journal-data")) as prepared:
        paperex(prepared, "manage", "shell", "-c", ADD_TRADES, check=True)
        yield prepared


def paperex(
    env: dict[str, str], *args: str, check: bool = False
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*PAPEREX, *args], env=env, capture_output=True, text=True, timeout=120, check=check
    )


def test_export_then_analyze_from_the_shell(env: dict[str, str], tmp_path: Path) -> None:
    exported = paperex(env, "export-trades", "--date", "2025-01-20", "--to", str(tmp_path))
    assert exported.returncode == 0, exported.stderr
    trades = tmp_path / "2025/01/20/trades.csv"
    assert exported.stdout.strip() == f"Wrote 5 trades to {trades}."
    assert "5/5 rows" in exported.stderr  # the progress bar's last line
    assert trades.read_text().count("\n") == 6

    analyzed = paperex(env, "analyze-trades", "--date", "2025-01-20", "--target", str(tmp_path))
    assert analyzed.returncode == 0, analyzed.stderr
    assert analyzed.stdout.strip() == "Analysis saved for 2025-01-20"
    assert (tmp_path / "2025/01/20/analysis.json").exists()


def test_an_empty_day_says_so(env: dict[str, str], tmp_path: Path) -> None:
    exported = paperex(env, "export-trades", "--date", "2025-01-21", "--to", str(tmp_path))
    assert exported.returncode == 0, exported.stderr
    assert exported.stdout.strip() == "No trades on 2025-01-21: nothing written."
    assert not any(tmp_path.iterdir())
    analyzed = paperex(env, "analyze-trades", "--date", "2025-01-21", "--target", str(tmp_path))
    assert analyzed.returncode == 1
    assert analyzed.stderr.strip() == ("paperex analyze-trades: No trade data found for 2025-01-21")


def test_a_broken_target_is_one_line_without_a_traceback(env: dict[str, str]) -> None:
    broken = {
        **env,
        "PAPEREX_S3_ENDPOINT_URL": f"http://127.0.0.1:{unused_port()}",
        "AWS_ACCESS_KEY_ID": "key",
        "AWS_SECRET_ACCESS_KEY": "secret",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    result = paperex(broken, "export-trades", "--date", "2025-01-20", "--to", "s3://journal/x")
    assert result.returncode == 1
    [line] = [line for line in result.stderr.splitlines() if line.startswith("paperex")]
    assert line.startswith("paperex export-trades: ")
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("args", "variables", "message"),
    [
        (["--date", "2025-02-30"], {}, "Invalid date '2025-02-30'"),
        ([], {"PAPEREX_EXPORT_TARGET": "ftp://host/x"}, "PAPEREX_EXPORT_TARGET"),
    ],
)
def test_a_bad_setting_is_one_line_and_status_2(
    env: dict[str, str], args: list[str], variables: dict[str, str], message: str
) -> None:
    result = paperex({**env, **variables}, "export-trades", *args)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.skipif(REDIS_SERVER is None, reason=NO_REDIS_SERVER)
def test_the_daily_export_runs_on_a_celery_worker(env: dict[str, str], tmp_path: Path) -> None:
    port = unused_port()
    redis_url = f"redis://127.0.0.1:{port}/0"
    worker_env = {**env, "REDIS_URL": redis_url, "PAPEREX_EXPORT_TARGET": str(tmp_path)}
    with redis_server(port):
        worker = subprocess.Popen(
            [*CELERY_WORKER, "--without-heartbeat", "--without-gossip", "--loglevel", "INFO"],
            env=worker_env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            sender = Celery(broker=redis_url)
            sender.send_task("journal.export_trades_daily", args=["2025-01-20"])
            # The export, then the analysis it starts, both on the worker.
            wait_until((tmp_path / "2025/01/20/analysis.json").exists, timeout=60)
            assert (tmp_path / "2025/01/20/trades.csv").read_text().count("\n") == 6
        finally:
            worker.terminate()
            worker.wait(timeout=30)
