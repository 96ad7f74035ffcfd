"""The mypyc-compiled engine and the pure Python engine emit identical events.

Each build runs in its own process (``PAPEREX_ENGINE`` decides at import) over the same seeded
command streams of ``tests.engine.command_streams``; every command's events, the snapshot that
restores the engine halfway and the final snapshot must be byte-for-byte the same.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
COMMAND = [sys.executable, "-m", "tests.engine.command_streams"]


def stream_output(build: str, seed: int) -> list[bytes]:
    result = subprocess.run(
        [*COMMAND, "--seed", str(seed), "--commands", "4000"],
        env={**os.environ, "PAPEREX_ENGINE": build},
        cwd=ROOT,
        capture_output=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr.decode()[-2000:]
    return result.stdout.splitlines()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_both_builds_emit_the_same_events_for_every_command(seed: int) -> None:
    python = stream_output("python", seed)
    compiled = stream_output("compiled", seed)
    assert python[0].startswith(b"engine: pure Python")
    assert compiled[0].startswith(b"engine: mypyc-compiled")
    assert len(python) == len(compiled) > 12_000
    for line, (expected, got) in enumerate(zip(python[1:], compiled[1:], strict=True), 1):
        assert got == expected, f"output line {line} differs:\n{expected[:500]!r}\n{got[:500]!r}"
