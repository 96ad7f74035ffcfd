"""`paperex serve` for real: the ASGI server in its own process, spoken to over HTTP."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.integration
PAPEREX = [sys.executable, "-m", "paperex.cli"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server with its own data folder, on the database the environment names."""
    data_dir: Path = tmp_path_factory.mktemp("server-data")
    env = {**os.environ, "PAPEREX_DATA_DIR": str(data_dir)}
    for command in ("migrate", "seed"):
        subprocess.run([*PAPEREX, command], env=env, check=True, capture_output=True, timeout=120)
    port = free_port()
    process = subprocess.Popen(
        [*PAPEREX, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"server exited: {process.stdout.read() if process.stdout else ''}")
        try:
            httpx.get(f"{url}/api/health/", timeout=1)
            break
        except httpx.TransportError:
            time.sleep(0.1)
    else:
        process.kill()
        pytest.fail("server did not answer within 30 s")
    yield url
    process.terminate()
    process.wait(timeout=10)


@pytest.mark.parametrize(
    "path", ["/", "/api/health/", "/api/schema/", "/api/docs/", "/admin/login/"]
)
def test_pages_answer_200(server: str, path: str) -> None:
    assert httpx.get(server + path, timeout=10).status_code == 200


def test_static_files_are_served(server: str) -> None:
    docs = httpx.get(server + "/api/docs/", timeout=10).text
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in docs
    script = httpx.get(
        server + "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js"
    )
    assert script.status_code == 200
    assert len(script.content) > 100_000


def test_demo_user_gets_a_token_and_reads_its_account(server: str) -> None:
    with httpx.Client(base_url=server, timeout=10) as client:
        tokens = client.post("/api/token/", json={"username": "demo", "password": "demo12345"})
        assert tokens.status_code == 200
        headers = {"Authorization": f"Bearer {tokens.json()['access']}"}
        account = client.get("/api/account/", headers=headers).json()
    assert account["username"] == "demo"
    assert {"asset": "USD", "free": "100000", "locked": "0"} in account["balances"]


def test_markets_come_from_the_seed(server: str) -> None:
    markets = httpx.get(server + "/api/markets/", timeout=10).json()
    assert len(markets) == 11
