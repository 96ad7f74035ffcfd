"""The chaos soak's short version (bench/chaos.py): the topology under load while a role's
process is killed every two seconds (after the last fault was recovered from), Redis restarted
and PostgreSQL backends terminated; no acknowledged order lost or stored twice, no fill
duplicated, every balance equal to its ledger, every client answered after the last fault,
every fault recovered from."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.support.topology import ON_THE_TOPOLOGY, REPOSITORY

pytestmark = ON_THE_TOPOLOGY


def test_a_short_chaos_soak_loses_nothing_and_recovers_from_every_fault() -> None:
    run = subprocess.run(
        [
            sys.executable,
            str(REPOSITORY / "bench" / "chaos.py"),
            *("--seconds", "40", "--faults", "7", "--clients", "8", "--every", "2", "--json"),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    report = json.loads(run.stdout[run.stdout.index("{") :])
    assert report["faults"] >= 7  # the 5th terminates the backends, the 7th restarts Redis
    assert set(report["problems"].values()) == {0}
    assert report["orders acknowledged"] > 0
    assert {"redis restart", "postgres backends terminated"} <= set(report["recovery"])
    # Status codes only, of 2xx, 4xx and 503: the front proxy takes a killed web process's
    # refusals and cut-off requests.
    assert set(report["statuses"]) <= {"200", "201", "204", "400", "404", "409", "503"}, report
