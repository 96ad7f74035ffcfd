"""``/metrics`` of ``paperex serve --workers 2``: whichever worker answers, it reports the
requests of both (prometheus-client's multi-process mode)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.integration.servers import prepared_environment, running_server

pytestmark = pytest.mark.integration
REQUESTS = 40


def markets_requests(url: str) -> float:
    text = httpx.get(f"{url}/metrics", timeout=10).text
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "paperex_http_requests_total"
        and sample.labels.get("route") == "api/markets/"
    )


def test_every_worker_counts_in_the_metrics_of_any(tmp_path: Path) -> None:
    with (
        prepared_environment(tmp_path) as env,
        running_server(env, "--workers", "2", ready=False) as url,
    ):
        for _ in range(REQUESTS):
            with httpx.Client(timeout=10) as client:  # a new connection: either worker
                answer = client.get(f"{url}/api/markets/")
                assert answer.status_code == 200
        assert [markets_requests(url) for _ in range(6)] == [REQUESTS] * 6
