"""The production topology's roles, as the Procfile names them (deploy/ repeats it)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.support.redis_server import NO_REDIS_SERVER, REDIS_SERVER

REPOSITORY = Path(__file__).resolve().parents[2]
PROCFILE = REPOSITORY / "Procfile"
ROLES = ("web", "engine", "feed", "bots", "worker", "beat")
"""Every role of the topology: each its own process."""
_PROCFILE_LINE = re.compile(r"^([A-Za-z0-9_-]+):\s*(.+)$")  # honcho's own reading of a line


def procfile_commands(path: Path = PROCFILE) -> dict[str, str]:
    """Each role's command line, as honcho reads the Procfile (comments are not role lines)."""
    lines = path.read_text().splitlines()
    return {m[1]: m[2] for line in lines if (m := _PROCFILE_LINE.match(line))}


ON_THE_TOPOLOGY = [
    pytest.mark.integration,
    pytest.mark.skipif(REDIS_SERVER is None, reason=NO_REDIS_SERVER),
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="the production topology runs on PostgreSQL (DATABASE_URL)",
    ),
]
"""The marks of a test of the production topology's processes: PostgreSQL (DATABASE_URL), and
a redis-server binary to start a Redis of the test's own."""
