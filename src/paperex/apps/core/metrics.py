"""What ``GET /metrics`` reports, in the Prometheus text format: every metric is defined here.

Several processes on one host (``serve --workers N``, and the engine and feed processes when
they share the environment) report together through prometheus-client's multi-process mode:
each process writes its values to files in ``PROMETHEUS_MULTIPROC_DIR`` and the scrape adds
them up. Without that directory a process reports its own. Collectors of process state that
is read at scrape time (``add_collector``) report the process that answers the scrape.
"""

from __future__ import annotations

import asyncio
import functools
import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

MULTIPROCESS_DIRECTORY = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = CONTENT_TYPE_LATEST

http_requests = Counter(
    "paperex_http_requests", "HTTP requests answered", ["route", "method", "status"]
)
http_request_seconds = Histogram(
    "paperex_http_request_seconds",
    "Time to answer an HTTP request",
    ["route", "method"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
order_outcomes = Counter("paperex_orders", "Orders placed, by outcome", ["outcome"])
orders_accepted = order_outcomes.labels("accepted")
orders_rejected = order_outcomes.labels("rejected")
fills = Counter("paperex_fills", "Fills committed by the engine")
engine_batch_commands = Histogram(
    "paperex_engine_batch_commands",
    "Commands in one engine batch (group commit)",
    buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048),
)
engine_commit_seconds = Histogram(
    "paperex_engine_commit_seconds",
    "Time to write one engine batch to the database",
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1),
)
engine_commands_queued = Gauge(
    "paperex_engine_commands_queued",
    "Commands waiting for the engine as its last batch started",
    multiprocess_mode="livemax",
)
websocket_connections = Gauge(
    "paperex_websocket_connections", "Open WebSocket connections", multiprocess_mode="livesum"
)


@functools.lru_cache(maxsize=4096)
def _http_request_children(route: str, method: str, status: int) -> tuple[Counter, Histogram]:
    return http_requests.labels(route, method, str(status)), http_request_seconds.labels(
        route, method
    )


def observe_http_request(route: str, method: str, status: int, seconds: float) -> None:
    """Count one answered request and its time. The label children are looked up once per
    (route, method, status): ``labels()`` costs several times the count itself."""
    counter, histogram = _http_request_children(route, method, status)
    counter.inc()
    histogram.observe(seconds)


class HotCounter:
    """A counter for a path too hot for a Prometheus call per event (the fan-out): ``add`` is an
    integer addition on the event loop, and ``fold_hot_counters_forever``, a task of the same
    loop, moves the sum into the Prometheus counter once a second."""

    def __init__(self, counter: Counter) -> None:
        self.counter = counter
        self.pending = 0

    def add(self, count: int) -> None:
        self.pending += count

    def fold(self) -> None:
        count, self.pending = self.pending, 0
        if count:
            self.counter.inc(count)


websocket_frames_sent = HotCounter(
    Counter("paperex_websocket_frames_sent", "Stream frames written to sockets")
)
websocket_slow_clients = Counter(
    "paperex_websocket_slow_clients", "Connections closed for not keeping up with their stream"
)
websocket_frames_dropped = Counter(
    "paperex_websocket_frames_dropped", "Frames dropped for a connection that did not keep up"
)
jobs = Counter("paperex_jobs", "Background job runs, by outcome", ["job", "outcome"])
limits_hit = Counter("paperex_limits_hit", "Requests refused by a limit", ["limit"])

HOT_COUNTERS = (websocket_frames_sent,)
FOLD_SECONDS = 1.0

_collectors: list[Collector] = []


async def fold_hot_counters_forever() -> None:
    """Fold every ``HotCounter`` each ``FOLD_SECONDS`` until cancelled (then once more)."""
    try:
        while True:
            await asyncio.sleep(FOLD_SECONDS)
            for counter in HOT_COUNTERS:
                counter.fold()
    finally:
        for counter in HOT_COUNTERS:
            counter.fold()


def add_collector(collector: Collector) -> None:
    """Report ``collector`` (process state read at scrape time) too."""
    _collectors.append(collector)
    REGISTRY.register(collector)


def metrics_text() -> bytes:
    """The exposition of every metric, of every process sharing the multi-process folder."""
    if not os.environ.get(MULTIPROCESS_DIRECTORY):
        return generate_latest(REGISTRY)
    registry = CollectorRegistry()
    MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    for collector in _collectors:
        registry.register(collector)
    return generate_latest(registry)
