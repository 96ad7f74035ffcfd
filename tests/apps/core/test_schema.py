"""The OpenAPI schema documents the errors each endpoint can answer, from what the view is."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from paperex.apps.accounts.models import User
from paperex.apps.core.ids import LARGEST_ID


@pytest.fixture
def schema(db: None) -> dict[str, Any]:
    return dict(APIClient().get("/api/schema/", {"format": "json"}).json())


def statuses(schema: dict[str, Any], method: str, path: str) -> set[int]:
    return {int(status) for status in schema["paths"][path][method]["responses"]}


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        # Public, reads a token if sent, a path parameter: no 403 (nothing is refused).
        ("get", "/api/markets/{symbol}/", {200, 401, 404, 429, 503}),
        # Needs a user, a body (400, 413, 415), CSRF for a session (403), the engine (503).
        ("post", "/api/orders/", {200, 201, 400, 401, 403, 413, 415, 429, 503}),
        # Its own 404 (a query's client order id), and 400 for the query.
        ("get", "/api/orders/lookup/", {200, 400, 401, 403, 404, 429, 503}),
        # A list whose only query parameters are pagination's: nothing to refuse.
        ("get", "/api/alerts/history/", {200, 401, 403, 429, 503}),
        # No authentication at all: no 401 or 403.
        ("post", "/api/auth/register/", {201, 400, 413, 415, 429, 503}),
        # Its own 401: a wrong password.
        ("post", "/api/token/", {200, 400, 401, 413, 415, 429, 503}),
        # Admins only: 403 for everyone else.
        ("get", "/api/admin/replays/{session_id}/", {200, 401, 403, 404, 429, 503}),
        # Never limited, and the liveness probe needs no service.
        ("get", "/api/health/", {200, 503}),
        ("get", "/api/health/live/", {200}),
    ],
)
def test_an_operation_documents_the_errors_of_its_kind(
    schema: dict[str, Any], method: str, path: str, expected: set[int]
) -> None:
    assert statuses(schema, method, path) == expected


def test_every_error_has_a_json_body_and_every_429_and_503_a_retry_after(
    schema: dict[str, Any],
) -> None:
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            for status, response in operation["responses"].items():
                where = f"{method} {path} {status}"
                if int(status) >= 400:
                    assert "schema" in response["content"]["application/json"], where
                if status in ("429", "503"):
                    assert response["headers"]["Retry-After"]["required"] is True, where
    limited = schema["paths"]["/api/markets/"]["get"]["responses"]["429"]
    assert limited["content"]["application/json"]["schema"]["$ref"].endswith("/RateLimited")
    assert "limit" in schema["components"]["schemas"]["RateLimited"]["required"]


def test_an_id_in_a_path_is_documented_and_held_to_a_bigint(
    schema: dict[str, Any], api_client: APIClient
) -> None:
    (parameter,) = schema["paths"]["/api/orders/{order_id}/"]["get"]["parameters"]
    assert parameter["schema"] == {"type": "integer", "minimum": 1, "maximum": LARGEST_ID}
    api_client.force_authenticate(User.objects.create_user("ids"))
    for order_id in (LARGEST_ID, LARGEST_ID + 1, 10**30, 0):
        assert api_client.get(f"/api/orders/{order_id}/").status_code == 404
    too_large = api_client.get("/api/fills/", {"order_id": LARGEST_ID + 1})
    assert too_large.status_code == 400
    assert too_large.json()["code"] == "invalid"
