"""Which ASGI server runs Paperex faster: uvicorn (ours) against daphne (baseline), same run.

Each server serves the real application on the embedded default (SQLite) with one process; a
closed-loop load of keep-alive clients on 127.0.0.1 requests a market detail through DRF.
Prints a table and one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from _http_load import run_load

PATH = "/api/markets/BTCUSDT/"
APP = "paperex.config.asgi:application"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def server_commands(port: int) -> dict[str, list[str]]:
    bin_dir = Path(sys.executable).parent
    return {
        "uvicorn": [
            str(bin_dir / "uvicorn"),
            APP,
            "--port",
            str(port),
            "--loop",
            "uvloop",
            "--http",
            "httptools",
            "--lifespan",
            "off",
            "--no-access-log",
        ],
        "daphne": [str(bin_dir / "daphne"), "-p", str(port), APP],
    }


def wait_until_up(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError("server did not start within 30 s")


def measure(name: str, env: dict[str, str], connections: int, seconds: float) -> dict[str, float]:
    port = free_port()
    process = subprocess.Popen(
        server_commands(port)[name], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_until_up(f"http://127.0.0.1:{port}{PATH}", process)
        asyncio.run(run_load("127.0.0.1", port, PATH, connections=connections, seconds=1))  # warm
        result = asyncio.run(
            run_load("127.0.0.1", port, PATH, connections=connections, seconds=seconds)
        )
    finally:
        process.terminate()
        process.wait(timeout=10)
    return result.summary()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=5)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir:
        env = {
            **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}},
            "PAPEREX_DATA_DIR": data_dir,
            "DJANGO_SETTINGS_MODULE": "paperex.config.settings",
        }
        for command in ("migrate", "seed"):
            subprocess.run(
                [sys.executable, "-m", "paperex.cli", command],
                env=env,
                check=True,
                capture_output=True,
            )
        results = {
            name: measure(name, env, options.connections, options.seconds)
            for name in ("uvicorn", "daphne")
        }
    print(f"{'server':<10}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'errors':>8}")
    for name, figures in results.items():
        print(
            f"{name:<10}{figures['requests_per_s']:>10}{figures['p50_ms']:>10}"
            f"{figures['p99_ms']:>10}{figures['errors']:>8}"
        )
    ratio = results["uvicorn"]["requests_per_s"] / results["daphne"]["requests_per_s"]
    print(
        json.dumps(
            {"bench": "asgi_server", "results": results, "uvicorn_vs_daphne": round(ratio, 2)}
        )
    )


if __name__ == "__main__":
    main()
