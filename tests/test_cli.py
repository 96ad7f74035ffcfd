from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from paperex.apps.accounts.models import User
from paperex.apps.apikeys.models import ApiKey
from paperex.apps.apikeys.secret_box import secret_decrypt
from paperex.apps.equity.models import EquitySnapshot
from paperex.cli import build_parser, main, parse_duration
from paperex.config.environment import POSTGRES_POOL
from tests.support.network import unused_port

START_UP_CHECK_LIMIT_SECONDS = POSTGRES_POOL["timeout"]
"""A role that cannot reach a service stops sooner than the database pool would wait for a
connection: the check waits at most CHECK_SECONDS; the rest is the process's start-up, seconds
under coverage on a small machine."""


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "paperex.cli", *args], capture_output=True, text=True, timeout=60
    )


def test_help_describes_every_command() -> None:
    result = run_cli("--help")
    assert result.returncode == 0
    described = " ".join(result.stdout.split())
    [commands] = [a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)]
    helps = {action.dest: action.help or "" for action in commands._choices_actions}
    assert commands.choices
    for command in commands.choices:
        assert f"{command} {' '.join(helps.get(command, '').split())} " in described, command
    serve_help = run_cli("serve", "--help").stdout
    for option in ["--host", "--port", "--feed"]:
        assert option in serve_help


def test_serve_options_parse() -> None:
    options = build_parser().parse_args(
        ["serve", "--host", "0.0.0.0", "--port", "9000", "--feed", "binance", "--feed", "yahoo"]
    )
    assert (options.host, options.port, options.feed) == ("0.0.0.0", 9000, ["binance", "yahoo"])


def test_watch_options_parse_with_an_exact_min_price() -> None:
    options = build_parser().parse_args(
        ["watch", "BTCUSDT", "--min-price", "65000.10", "--price-tag", "h", "--offline"]
    )
    assert (options.min_price, options.price_tag, options.interval) == (
        Decimal("65000.10"),
        "h",
        "1m",
    )
    assert options.server == "http://127.0.0.1:8000"
    refused = run_cli("watch", "BTCUSDT", "--min-price", "cheap")
    assert refused.returncode == 2
    assert "not a number: 'cheap'" in refused.stderr


def test_an_unknown_feed_is_refused_with_a_message() -> None:
    result = run_cli("serve", "--feed", "kraken")
    assert result.returncode != 0
    assert "kraken" in result.stderr
    assert "not one of" in result.stderr


@pytest.mark.django_db
def test_createuser_creates_a_funded_user_and_refuses_duplicates(seeded: None) -> None:
    call_command("createuser", "carol", "--password", "another-long-pass", "--admin")
    carol = User.objects.get(username="carol")
    assert carol.is_superuser
    assert carol.check_password("another-long-pass")
    assert carol.balances.count() == 2
    with pytest.raises(CommandError, match="already exists"):
        call_command("createuser", "Carol", "--password", "another-long-pass")
    with pytest.raises(CommandError, match="too short"):
        call_command("createuser", "dave", "--password", "short")


@pytest.mark.django_db
def test_apikey_create_prints_a_key_pair_and_stores_the_secret_encrypted(
    trader: User, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["apikey", "create", trader.username.upper(), "--label", "my bot"])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("api_key:")
    assert lines[1].startswith("secret_key:")
    api_key, secret = lines[0].split()[1], lines[1].split()[1]
    key = ApiKey.objects.get(api_key=api_key)
    assert (key.user_id, key.label, key.kind) == (trader.pk, "my bot", "HMAC")
    assert secret not in key.secret_encrypted
    assert secret_decrypt(stored=key.secret_encrypted, api_key=api_key) == secret
    options = build_parser().parse_args(["apikey", "create", "bob"])
    assert (options.action, options.username, options.label) == ("create", "bob", "cli")
    with pytest.raises(SystemExit, match=r"paperex apikey: No user 'nobody'\."):
        main(["apikey", "create", "nobody"])


@pytest.mark.parametrize(("text", "seconds"), [("90", 90), ("30s", 30), ("10m", 600), ("1h", 3600)])
def test_durations(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["soon", "-5m", "0", "m"])
def test_bad_durations_are_refused(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError):
        parse_duration(text)


def test_replay_of_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    result = run_cli("replay", str(tmp_path / "nothing.jsonl.gz"))
    assert result.returncode != 0
    assert "paperex replay:" in result.stderr
    assert "Traceback" not in result.stderr


def run_cli_with(environment: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """The command with exactly the services ``environment`` names (none of this run's)."""
    inherited = {
        name: value
        for name, value in os.environ.items()
        if name not in {"DATABASE_URL", "REDIS_URL"}
    }
    return subprocess.run(
        [sys.executable, "-m", "paperex.cli", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**inherited, **environment},
    )


@pytest.mark.parametrize("command", [["migrate"], ["serve"], ["engine"], ["feed"], ["bots"]])
@pytest.mark.parametrize(
    ("environment", "named"),
    [
        ({"DATABASE_URL": "postgres://postgres@127.0.0.1:{port}/test"}, "DATABASE_URL"),
        ({"DATABASE_URL": "sqlite:////no/such/folder/paperex.sqlite3"}, "DATABASE_URL"),
        ({"REDIS_URL": "redis://127.0.0.1:{port}/0"}, "REDIS_URL"),
    ],
)
def test_a_service_that_does_not_answer_is_one_line_and_exit_status_2(
    command: list[str], environment: dict[str, str], named: str, tmp_path: Path
) -> None:
    port = str(unused_port())
    settings = {name: value.replace("{port}", port) for name, value in environment.items()}
    settings.setdefault("DATABASE_URL", f"sqlite:///{tmp_path / 'paperex.sqlite3'}")
    started = time.monotonic()
    result = run_cli_with(settings, *command, *(["--port", port] if command == ["serve"] else []))
    elapsed = time.monotonic() - started
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("paperex: cannot reach")
    assert named in lines[0]
    assert elapsed < START_UP_CHECK_LIMIT_SECONDS


@pytest.mark.parametrize("command", ["engine", "bots"])
def test_the_engine_and_the_bots_without_redis_say_they_need_it(
    tmp_path: Path, command: str
) -> None:
    result = run_cli_with({"DATABASE_URL": f"sqlite:///{tmp_path / 'paperex.sqlite3'}"}, command)
    assert result.returncode == 2
    assert result.stderr.strip() == "paperex: this command needs Redis: set REDIS_URL"


def test_a_bad_retention_setting_is_one_line_and_exit_status_2(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'paperex.sqlite3'}"
    result = run_cli_with({"DATABASE_URL": database, "PAPEREX_KEEP_REPLAYS": "soon"}, "prune")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "paperex: configuration error: PAPEREX_KEEP_REPLAYS must be a duration such as 24h or "
        "30d (units s, m, h, d), or 0 or off to keep for ever, got 'soon'"
    ]


@pytest.mark.django_db
def test_prune_prints_what_it_deletes_table_by_table(
    trader: User, capsys: pytest.CaptureFixture[str]
) -> None:
    long_ago = (timezone.now() - timedelta(days=400)).replace(hour=1)  # 3 minutes of one day
    EquitySnapshot.objects.bulk_create(
        EquitySnapshot(user=trader, taken_at=long_ago + timedelta(minutes=n), equity=Decimal(1))
        for n in range(3)
    )

    call_command("prune", "--dry-run")
    call_command("prune")
    call_command("prune")

    dry_run, run, again, _ = capsys.readouterr().out.split("orders, fills, trades and the ledger")
    assert "equity snapshots, thinned to one a day: would delete 2 rows\n" in dry_run
    assert "candles 1s: would delete 0 rows\n" in dry_run
    assert "candles 1d: kept for ever\n" in dry_run
    assert "equity snapshots, thinned to one a day: deleted 2 rows\n" in run
    assert "equity snapshots, thinned to one a day: deleted 0 rows\n" in again
    assert EquitySnapshot.objects.count() == 1


def test_a_bad_setting_is_exit_status_2() -> None:
    result = run_cli_with({"DATABASE_URL": "mysql://somewhere/paperex"}, "migrate")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "paperex: configuration error: DATABASE_URL must be a postgres:// or sqlite:// URL, "
        "got scheme 'mysql'"
    ]


def test_the_command_refuses_an_unknown_engine_build_in_one_line() -> None:
    result = run_cli_with({"PAPEREX_ENGINE": "fast"}, "migrate")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "paperex: PAPEREX_ENGINE must be one of auto, compiled, python, not 'fast'"
    ]
