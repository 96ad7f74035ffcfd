"""A flood of wrong passwords from one address: refused before any password is checked once
the address has failed too often, so another address's login stays as fast as without it."""

from __future__ import annotations

import json
import socket
import statistics
import time
from pathlib import Path

import httpx
import pytest

from tests.integration.servers import prepared_environment, running_server
from tests.support.threads import CheckedThread
from tests.support.waiting import wait_until

pytestmark = pytest.mark.integration

FLOODERS = 4
FLOOD_PER_THREAD = 150
DEMO = {"username": "demo", "password": "demo12345"}


def wrong_login(number: int) -> bytes:
    body = json.dumps({"username": f"guess{number}", "password": "wrong"}).encode()
    return (
        b"POST /api/token/ HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Forwarded-For: 10.0.0.1\r\n"
        b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
    )


def login_seconds(url: str, address: str) -> float:
    """How long a correct login takes from ``address`` (the server trusts the loopback proxy's
    X-Forwarded-For, as behind a reverse proxy)."""
    started = time.perf_counter()
    answer = httpx.post(
        f"{url}/api/token/", json=DEMO, headers={"X-Forwarded-For": address}, timeout=30
    )
    assert answer.status_code == 200, answer.text
    return time.perf_counter() - started


def test_a_login_flood_from_one_address_does_not_slow_another_address(tmp_path: Path) -> None:
    with prepared_environment(tmp_path) as env:
        env = {**env, "PAPEREX_RATE_LIMIT_LOGIN_ADDRESS": "30/1m"}
        with running_server(env) as url:
            login_seconds(url, "10.0.0.2")  # warm up
            alone = statistics.median(login_seconds(url, "10.0.0.2") for _ in range(5))
            refused: list[int] = []

            def flood() -> None:
                # Raw requests on one kept-alive socket: the client costs next to nothing, so
                # what slows the server is the server's own work.
                host, port = url.removeprefix("http://").split(":")
                with socket.create_connection((host, int(port)), timeout=30) as connection:
                    reader = connection.makefile("rb")
                    for number in range(FLOOD_PER_THREAD):
                        connection.sendall(wrong_login(number))
                        status = int(reader.readline().split()[1])
                        length = 0
                        while (line := reader.readline()) not in (b"\r\n", b""):
                            name, _, value = line.partition(b":")
                            if name.lower() == b"content-length":
                                length = int(value)
                        reader.read(length)
                        assert status in (401, 429), status
                        if status == 429:
                            refused.append(number)

            flooders = [CheckedThread(flood, name=f"flood-{n}").start() for n in range(FLOODERS)]
            try:
                wait_until(lambda: refused, timeout=60, what="the flood refused")
                during = statistics.median(login_seconds(url, "10.0.0.2") for _ in range(5))
            finally:
                for flooder in flooders:
                    flooder.result(timeout=120)
    # The flood's refusals share the machine's cores with the login, so it may take a little
    # longer; what this rules out is a login waiting behind the flood's password checks (4 s
    # before the address limit refused them before any hashing).
    assert during <= 2 * alone + 0.2, (
        f"a login took {during:.3f} s during the flood, {alone:.3f} s alone"
    )
    # All but the first 30 failures, and those in flight as the 30th was counted.
    assert len(refused) >= FLOODERS * FLOOD_PER_THREAD - 30 - FLOODERS
