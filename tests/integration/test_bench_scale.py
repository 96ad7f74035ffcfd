"""``bench/scale.py`` in a tiny bounded run: its table has the single-process baseline and every
engine + web topology asked for, each placing orders, and the fan-out on every web count
delivering messages."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.support.databases import own_database
from tests.support.topology import ON_THE_TOPOLOGY

pytestmark = ON_THE_TOPOLOGY
REPOSITORY = Path(__file__).resolve().parents[2]
ARGUMENTS = ["--clients", "4", "--seconds", "1", "--web", "1,2", "--sockets", "20", "--json"]


def test_every_topology_places_orders_and_fans_out() -> None:
    with own_database(os.environ["DATABASE_URL"]) as database_url:
        env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}  # a Redis of its own
        run = subprocess.run(
            [sys.executable, str(REPOSITORY / "bench" / "scale.py"), *ARGUMENTS],
            env={**env, "DATABASE_URL": database_url},
            capture_output=True,
            text=True,
            timeout=600,
        )
    assert run.returncode == 0, run.stderr[-3000:]
    *table, last = run.stdout.strip().splitlines()
    figures = json.loads(last)
    orders = {row["topology"]: row for row in figures["orders"]}
    assert list(orders) == ["single", "engine + web x1", "engine + web x2"]
    for name, row in orders.items():
        assert (row["requests_per_s"] > 0, row["errors"]) == (True, 0), name
        assert any(line.startswith(f"| {name} | {row['requests_per_s']} |") for line in table)
    fanout = {row["topology"]: row for row in figures["fanout"]}
    assert list(fanout) == ["web x1", "web x2"]
    for name, row in fanout.items():
        assert (row["delivered_per_second"] > 0, row["lost"]) == (True, 0), name
