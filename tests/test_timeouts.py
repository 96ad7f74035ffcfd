"""The suite's time limits fail a hanging test instead of hanging the run."""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HANGING_TESTS = """
import asyncio
import threading
import time

import pytest


def test_blocked_on_a_lock():
    threading.Event().wait()


def test_sleeping():
    time.sleep(600)


async def test_awaiting_forever():
    await asyncio.Event().wait()


@pytest.mark.integration
def test_integration_outlasting_the_unit_limit():
    time.sleep(1.5)
"""
CONFIG = """
[pytest]
asyncio_mode = auto
asyncio_default_fixture_loop_scope = function
markers = integration: starts real server processes
timeout = 60
timeout_method = signal
unit_timeout = 1
"""


def test_a_hanging_unit_test_fails_by_timeout_and_an_integration_test_has_longer(
    tmp_path: Path,
) -> None:
    (tmp_path / "pytest.ini").write_text(CONFIG)
    (tmp_path / "conftest.py").write_text('pytest_plugins = ["tests.support.timeouts"]\n')
    (tmp_path / "test_hanging.py").write_text(HANGING_TESTS)
    report = tmp_path / "report.xml"
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:django",
         f"--junitxml={report}"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=25,
    )  # fmt: skip
    output = run.stdout + run.stderr
    assert run.returncode == 1, output
    failures = {
        case.attrib["name"]: [failure.attrib["message"] for failure in case.iter("failure")]
        for case in ElementTree.parse(report).iter("testcase")
    }
    timed_out = ["Failed: Timeout (>1.0s) from pytest-timeout."]
    assert failures == {
        "test_blocked_on_a_lock": timed_out,
        "test_sleeping": timed_out,
        "test_awaiting_forever": timed_out,
        "test_integration_outlasting_the_unit_limit": [],
    }, output
