from __future__ import annotations

import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from paperex.apps.accounts.models import User
from paperex.cli import build_parser


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "paperex.cli", *args], capture_output=True, text=True, timeout=60
    )


def test_help_describes_every_command() -> None:
    result = run_cli("--help")
    assert result.returncode == 0
    for command in ["serve", "migrate", "seed", "createuser", "manage"]:
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
