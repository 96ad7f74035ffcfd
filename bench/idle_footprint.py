"""What an idle server costs over time: its memory and the rows it stores.

Starts ``paperex serve`` as a user would (embedded default: SQLite in a temporary folder, the
synthetic feed, the demo user, no orders), samples the process's resident memory every
``--sample`` seconds and counts the rows of every table that grows with time once a minute, for
``--minutes``. Prints one line per minute, then a summary: memory after the warm-up and at the
end, the slope over the second half of the run, and each table's rows gained a minute. Ends with
one JSON line.

    .venv/bin/python bench/idle_footprint.py --minutes 60
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from order_entry import PAPEREX, free_port, start_server

GROWING_TABLES = {
    "candles": "markets_candle",
    "equity snapshots": "equity_equitysnapshot",
    "alert history": "alerts_alerttrigger",
}


def resident_mb(pid: int) -> float:
    """The process's resident set (VmRSS) in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def row_counts(database: Path) -> dict[str, int]:
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=30) as connection:
        return {
            name: connection.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
            for name, table in GROWING_TABLES.items()
        }


def slope_per_minute(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of (seconds, value) points, per minute."""
    times = [t for t, _ in points]
    values = [v for _, v in points]
    return float(statistics.linear_regression(times, values).slope * 60)


def serve(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    for command in ("migrate", "seed"):
        subprocess.run([*PAPEREX, command], env=env, check=True, capture_output=True)
    return start_server(env, port, feed=True, seconds=120)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=60)
    parser.add_argument("--sample", type=float, default=10, help="seconds between samples")
    parser.add_argument("--warm-up", type=float, default=5, help="minutes before memory counts")
    options = parser.parse_args()
    if options.minutes < 2 or options.warm_up >= options.minutes:
        parser.error("--minutes must be at least 2 and longer than --warm-up")
    data_dir = Path(tempfile.mkdtemp(prefix="paperex-idle-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "paperex.config.settings",
        "PAPEREX_DATA_DIR": str(data_dir),
    }
    for name in ("DATABASE_URL", "REDIS_URL"):
        env.pop(name, None)
    server = serve(env, free_port())
    started = time.monotonic()
    memory: list[tuple[float, float]] = []
    rows: list[tuple[float, dict[str, int]]] = []
    try:
        while (elapsed := time.monotonic() - started) < options.minutes * 60:
            if server.poll() is not None:
                raise SystemExit(f"the server exited with status {server.returncode}")
            memory.append((elapsed, resident_mb(server.pid)))
            if not rows or elapsed - rows[-1][0] >= 60:
                rows.append((elapsed, row_counts(data_dir / "paperex.sqlite3")))
                counts = ", ".join(f"{name} {count:,}" for name, count in rows[-1][1].items())
                print(f"{elapsed / 60:5.1f} min  {memory[-1][1]:7.1f} MB  {counts}", flush=True)
            time.sleep(options.sample)
    finally:
        server.terminate()
        server.wait(timeout=30)
    warm = [(t, mb) for t, mb in memory if t >= options.warm_up * 60]
    second_half = [(t, mb) for t, mb in memory if t >= memory[-1][0] / 2]
    first, last = rows[0], rows[-1]
    minutes = (last[0] - first[0]) / 60
    summary = {
        "minutes": round(memory[-1][0] / 60, 1),
        "rss_after_warm_up_mb": round(warm[0][1], 1),
        "rss_end_mb": round(memory[-1][1], 1),
        "rss_max_mb": round(max(mb for _, mb in memory), 1),
        "rss_slope_second_half_mb_per_min": round(slope_per_minute(second_half), 3),
        "rows_per_minute": {
            name: round((last[1][name] - first[1][name]) / minutes, 1) for name in GROWING_TABLES
        },
    }
    print(
        f"memory: {summary['rss_after_warm_up_mb']} MB after {options.warm_up:g} min, "
        f"{summary['rss_end_mb']} MB at the end (max {summary['rss_max_mb']} MB), "
        f"{summary['rss_slope_second_half_mb_per_min']:+} MB a minute over the second half"
    )
    print(json.dumps(summary))


if __name__ == "__main__":
    sys.exit(main())
