"""``GET /metrics``: the Prometheus text format, read back with prometheus-client's parser; the
counters move with what the server does; who may read it."""

from __future__ import annotations

import asyncio
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgiref.sync import sync_to_async
from prometheus_client.parser import text_string_to_metric_families
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from paperex.apps.core.address_limits import address_limited
from paperex.apps.core.metrics import FOLD_SECONDS, HOT_COUNTERS, fold_hot_counters_forever
from paperex.apps.core.periodic import PeriodicJob
from paperex.apps.marketdata.runtime import runtime
from paperex.apps.trading.host.host import EngineHost
from paperex.config.asgi import application
from tests.support.ledger import fund_btc
from tests.support.trading import register

pytestmark = pytest.mark.django_db(transaction=True)

ORDER = {"symbol": "BTCUSDT", "type": "LIMIT", "quantity": "0.1", "price": "20000"}
DASHBOARD = Path(__file__).parents[3] / "deploy" / "monitoring" / "grafana-dashboard.json"
METRIC_NAME = re.compile(r"\bpaperex_[a-z_]+")
SAMPLE_SUFFIXES = ("", "_total", "_bucket", "_count", "_sum")


def scrape(client: Any, **headers: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of /metrics by (name, sorted labels)."""
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain; version=")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def value(samples: dict[Any, float], name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


async def test_orders_requests_fills_and_batches_are_counted(host: EngineHost) -> None:
    web = APIClient()
    alice = str(AccessToken.for_user(await register("alice")))
    seller = await register("bob")
    await sync_to_async(fund_btc)(seller, Decimal(1))
    bob = str(AccessToken.for_user(seller))
    before = await asyncio.to_thread(scrape, web)

    async def place(token: str, **order: str) -> int:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=application),
            base_url="http://testserver",
            headers={"Authorization": f"Bearer {token}"},
        ) as lane:
            return (await lane.post("/api/orders/", json={**ORDER, **order})).status_code

    assert await place(alice, side="BUY") == 201
    assert await place(bob, side="SELL", price="19000") == 201  # crosses: one fill each
    assert await place(alice, side="BUY", price="-1") == 400
    after = await asyncio.to_thread(scrape, web)

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert moved("paperex_orders_total", outcome="accepted") == 2
    assert (
        moved("paperex_http_requests_total", route="api/orders/", method="POST", status="201") == 2
    )
    assert (
        moved("paperex_http_requests_total", route="api/orders/", method="POST", status="400") == 1
    )
    assert moved("paperex_fills_total") == 2
    assert moved("paperex_engine_batch_commands_count") >= 2
    assert moved("paperex_engine_commit_seconds_count") >= 2
    assert moved("paperex_http_requests_total", route="metrics", method="GET", status="200") == 1


def test_metrics_are_for_the_allowed_addresses_or_the_token(settings: Any) -> None:
    settings.PAPEREX_METRICS_ALLOW = ["127.0.0.1"]
    settings.PAPEREX_METRICS_TOKEN = "scrape-secret"
    assert APIClient().get("/metrics").status_code == 200  # the test client is 127.0.0.1
    elsewhere = APIClient(REMOTE_ADDR="10.1.2.3")
    assert elsewhere.get("/metrics").status_code == 403
    assert elsewhere.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    assert elsewhere.get("/metrics", HTTP_AUTHORIZATION="Bearer scrape-secret").status_code == 200


async def test_open_websockets_are_counted_while_they_last(market_data: None) -> None:
    web = APIClient()
    connected = asyncio.Event()
    release = asyncio.Event()

    async def app(scope: Any, receive: Any, send: Any) -> None:
        connected.set()
        await release.wait()

    scope = {"type": "websocket", "path": "/stream/", "client": ("10.0.0.1", 1), "headers": []}
    before = value(await asyncio.to_thread(scrape, web), "paperex_websocket_connections")
    connection = asyncio.create_task(address_limited(app)(scope, None, None))
    await connected.wait()
    during = value(await asyncio.to_thread(scrape, web), "paperex_websocket_connections")
    release.set()
    await connection
    after = value(await asyncio.to_thread(scrape, web), "paperex_websocket_connections")
    assert (during - before, after - before) == (1, 0)


async def test_hot_counters_reach_their_counters_within_a_fold(market_data: None) -> None:
    (frames,) = HOT_COUNTERS
    frames.fold()  # what earlier tests' sockets sent, so that only this test's frames count
    web = APIClient()
    before = value(await asyncio.to_thread(scrape, web), "paperex_websocket_frames_sent_total")
    folding = asyncio.create_task(fold_hot_counters_forever())
    frames.add(7)
    await asyncio.sleep(FOLD_SECONDS * 1.5)  # the fold's period is what is being checked
    during = value(await asyncio.to_thread(scrape, web), "paperex_websocket_frames_sent_total")
    frames.add(3)
    folding.cancel()
    await asyncio.gather(folding, return_exceptions=True)
    after = value(await asyncio.to_thread(scrape, web), "paperex_websocket_frames_sent_total")
    assert (during - before, after - before) == (7, 10)  # the rest folds as it stops


async def test_background_jobs_are_counted_by_outcome(market_data: None) -> None:
    web = APIClient()
    runs = iter([None, RuntimeError("the job broke")])

    def job() -> None:
        outcome = next(runs)
        if outcome is not None:
            raise outcome

    before = await asyncio.to_thread(scrape, web)
    periodic = PeriodicJob("counted-job", job, seconds=0.01)
    periodic.start()
    try:
        for _ in range(200):
            samples = await asyncio.to_thread(scrape, web)
            if value(samples, "paperex_jobs_total", job="counted-job", outcome="failed") > value(
                before, "paperex_jobs_total", job="counted-job", outcome="failed"
            ):
                break
        else:
            pytest.fail("the failed run was not counted")
    finally:
        await periodic.stop()
    assert value(samples, "paperex_jobs_total", job="counted-job", outcome="ok") == 1


@pytest.fixture
def running_pipeline(monkeypatch: pytest.MonkeyPatch) -> None:
    """A feed pipeline in this process, as ``paperex serve`` or ``paperex feed`` runs one."""

    class Feed:
        venue = "binance"

        class status:  # noqa: N801  (as FeedStatus is read)
            reconnects = 3
            parse_errors = 2

    class Pipeline:
        feeds = [Feed()]
        events_published = 1234
        events_dropped = 5
        lag_ms = 250

    monkeypatch.setattr(runtime, "pipeline", Pipeline())


def test_market_data_is_reported_from_the_running_pipeline(
    market_data: None, running_pipeline: None
) -> None:
    samples = scrape(APIClient())
    assert value(samples, "paperex_feed_events_total") == 1234
    assert value(samples, "paperex_feed_events_dropped_total") == 5
    assert value(samples, "paperex_feed_lag_seconds") == 0.25
    assert value(samples, "paperex_feed_reconnects_total", venue="binance") == 3
    assert value(samples, "paperex_feed_parse_errors_total", venue="binance") == 2


def test_the_grafana_dashboard_reads_only_metrics_that_exist(
    market_data: None, running_pipeline: None
) -> None:
    response = APIClient().get("/metrics")
    families = {family.name for family in text_string_to_metric_families(response.content.decode())}
    exposed = {f"{name}{suffix}" for name in families for suffix in SAMPLE_SUFFIXES}
    dashboard = json.loads(DASHBOARD.read_text())
    expressions = [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]
    used = {name for expression in expressions for name in METRIC_NAME.findall(expression)}
    assert used, "the dashboard reads no metric"
    assert used <= exposed, f"the dashboard reads metrics nobody reports: {used - exposed}"
