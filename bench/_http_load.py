"""A small closed-loop HTTP/1.1 load generator over keep-alive connections (loopback only)."""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class LoadResult:
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float]
    server_cpu_seconds: float = 0.0
    """The server process's CPU time (user and system) over the load, when it was measured."""

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0

    @classmethod
    def combined(cls, results: list[LoadResult]) -> LoadResult:
        """One result of several runs of the same load: their requests over their time."""
        return cls(
            sum(result.requests for result in results),
            sum(result.errors for result in results),
            sum(result.seconds for result in results),
            [latency for result in results for latency in result.latencies_ms],
            sum(result.server_cpu_seconds for result in results),
        )

    def summary(self) -> dict[str, float]:
        return {
            "requests_per_s": round(self.per_second, 1),
            "p50_ms": round(self.percentile(0.50), 2),
            "p99_ms": round(self.percentile(0.99), 2),
            "mean_ms": round(statistics.fmean(self.latencies_ms), 2) if self.latencies_ms else 0,
            "errors": self.errors,
            **(
                {"server_cpu_us": round(self.server_cpu_seconds / self.requests * 1e6, 1)}
                if self.server_cpu_seconds and self.requests
                else {}
            ),
        }


async def _one_client(
    host: str,
    port: int,
    request: bytes | Callable[[], bytes],
    stop_at: float,
    latencies: list[float],
    ok_status: bytes = b" 200 ",
) -> int:
    reader, writer = await asyncio.open_connection(host, port)
    errors = 0
    try:
        while time.perf_counter() < stop_at:
            started = time.perf_counter()
            writer.write(request() if callable(request) else request)
            status_line = await reader.readline()
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.partition(b":")
                if name.lower() == b"content-length":
                    length = int(value)
            await reader.readexactly(length)
            if ok_status not in status_line:
                errors += 1
            latencies.append((time.perf_counter() - started) * 1000)
    finally:
        writer.close()
    return errors


async def run_load(
    host: str, port: int, path: str, *, connections: int, seconds: float
) -> LoadResult:
    """Send GET `path` from `connections` keep-alive clients for `seconds`; only to loopback."""
    if not host.startswith("127."):
        raise ValueError("load is only ever sent to the loopback interface")
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n".encode()
    latencies: list[float] = []
    started = time.perf_counter()
    stop_at = started + seconds
    errors = await asyncio.gather(
        *(_one_client(host, port, request, stop_at, latencies) for _ in range(connections))
    )
    return LoadResult(len(latencies), sum(errors), time.perf_counter() - started, latencies)


def post_request(path: str, body: bytes, *, token: str) -> bytes:
    """A keep-alive HTTP/1.1 POST of a JSON body with a Bearer token."""
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    return post_with_headers(path, body, headers)


def post_with_headers(path: str, body: bytes, headers: dict[str, str]) -> bytes:
    """A keep-alive HTTP/1.1 POST of ``body`` with ``headers`` (its length added)."""
    lines = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n"
        f"{lines}Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def run_post_load(
    host: str,
    port: int,
    request_makers: list[Callable[[], bytes]],
    *,
    seconds: float,
    ok_status: bytes = b" 201 ",
) -> LoadResult:
    """One keep-alive client per request maker, each sending what it makes for ``seconds``."""
    if not host.startswith("127."):
        raise ValueError("load is only ever sent to the loopback interface")
    latencies: list[float] = []
    started = time.perf_counter()
    stop_at = started + seconds
    errors = await asyncio.gather(
        *(_one_client(host, port, make, stop_at, latencies, ok_status) for make in request_makers)
    )
    return LoadResult(len(latencies), sum(errors), time.perf_counter() - started, latencies)
