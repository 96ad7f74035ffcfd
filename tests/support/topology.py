"""The production topology's roles, as the Procfile names them (deploy/ repeats it)."""

from __future__ import annotations

import re
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]
PROCFILE = REPOSITORY / "Procfile"
ROLES = ("web", "engine", "feed", "bots", "worker", "beat")
"""Every role of the topology: each its own process."""
_PROCFILE_LINE = re.compile(r"^([A-Za-z0-9_-]+):\s*(.+)$")  # honcho's own reading of a line


def procfile_commands(path: Path = PROCFILE) -> dict[str, str]:
    """Each role's command line, as honcho reads the Procfile (comments are not role lines)."""
    lines = path.read_text().splitlines()
    return {m[1]: m[2] for line in lines if (m := _PROCFILE_LINE.match(line))}
