from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from paperex.apps.accounts.models import User
from paperex.cli import build_parser, parse_duration


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "paperex.cli", *args], capture_output=True, text=True, timeout=60
    )


def test_help_describes_every_command() -> None:
    result = run_cli("--help")
    assert result.returncode == 0
    for command in ["serve", "feed", "engine", "record", "replay", "migrate", "seed", "createuser"]:
        assert command in result.stdout
    serve_help = run_cli("serve", "--help").stdout
    for option in ["--host", "--port", "--feed"]:
        assert option in serve_help


def test_serve_options_parse() -> None:
    options = build_parser().parse_args(
        ["serve", "--host", "0.0.0.0", "--port", "9000", "--feed", "binance", "--feed", "yahoo"]
    )
    assert (options.host, options.port, options.feed) == ("0.0.0.0", 9000, ["binance", "yahoo"])


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
