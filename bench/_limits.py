"""The servers' limits during a benchmark, whose clients all come from one address and run
faster than any limit meant for one client allows."""

from __future__ import annotations

import argparse

from paperex.config.environment import RATE_LIMIT_DEFAULTS

COUNTED_NEVER_REFUSED = "1000000000/1m"


def limits_env(mode: str) -> dict[str, str]:
    """``on``: every limit counts as it does in a server, with a count no run reaches (what the
    limits cost); ``off``: no limit (the baseline)."""
    value = COUNTED_NEVER_REFUSED if mode == "on" else "off"
    return {f"PAPEREX_RATE_LIMIT_{name.upper()}": value for name in RATE_LIMIT_DEFAULTS}


def add_limits_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--limits",
        choices=("on", "off"),
        default="on",
        help="on: limits counted as in a server, never reached; off: no limits",
    )
