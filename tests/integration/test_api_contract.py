"""The API does what its OpenAPI schema says: schemathesis generates requests for every operation
of `/api/schema/` and sends them to a real `paperex serve` (uvicorn, the limits and the body
limit in front, the ASGI order lane, the engine and the synthetic feed: what a client meets), as
the funded demo user with a JWT. A server error, a status code the schema does not document, or
a body, content type or header that its schema does not allow fails the test.

The run is bounded (``MAX_EXAMPLES`` generated cases per operation, besides the schema's
examples and schemathesis' coverage cases) and deterministic (a fixed seed, derandomized), so
that it takes about a minute and finds the same cases on every run.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.integration.servers import demo_token, prepared_environment, running_server

pytestmark = pytest.mark.integration

MAX_EXAMPLES = 40
GENEROUS_LIMITS = {
    f"PAPEREX_RATE_LIMIT_{name}": "1000000/1m"
    for name in ("USER", "ORDERS", "LOGIN_USERNAME_BURST", "LOGIN_USERNAME")
}
"""Thousands of requests in a minute from one user: the limits of the suite's servers would
answer them 429 (a documented answer, but one that tests nothing else)."""

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


@pytest.fixture(scope="module")
def api_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with (
        prepared_environment(tmp_path_factory.mktemp("contract-data")) as env,
        running_server({**env, **GENEROUS_LIMITS}) as url,
    ):
        yield url


def published_schema() -> dict[str, Any]:
    """The schema as `/api/schema/?format=json` publishes it, made from the code (schemathesis
    makes one test per operation when the tests are collected, before any server runs)."""
    document = SchemaGenerator().get_schema(request=None, public=True)
    return dict(json.loads(OpenApiJsonRenderer().render(document)))


SCHEMA = published_schema()
schema = schemathesis.openapi.from_dict(
    SCHEMA,
    config=SchemathesisConfig.from_dict(
        {
            "seed": 20_240_601,
            # A 503 with Retry-After is a documented answer (a market still waiting for its
            # feed on a loaded machine), not a server error; its body and header are checked.
            "checks": {"not_a_server_error": {"expected-statuses": ["2XX", "3XX", "4XX", "503"]}},
            "generation": {
                "max-examples": MAX_EXAMPLES,
                "deterministic": True,
                "no-shrink": True,
                "database": "none",
                "with-security-parameters": False,
            },
        }
    ),
)


@pytest.fixture(scope="module")
def authenticated(api_server: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {demo_token(api_server)}"}


def test_the_server_publishes_the_schema_under_test(api_server: str) -> None:
    assert httpx.get(f"{api_server}/api/schema/?format=json", timeout=10).json() == SCHEMA


@schema.parametrize()
def test_every_answer_is_one_the_schema_documents(
    case: Any, api_server: str, authenticated: dict[str, str]
) -> None:
    case.call_and_validate(base_url=api_server, headers=authenticated, checks=CHECKS, timeout=10)
