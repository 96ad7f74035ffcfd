"""Every error under /api/ is JSON in the one error shape, whatever the method and whichever part
of the ASGI application answers (Django, DRF, the order lane, the limits in front): a path
without an endpoint, a method an endpoint does not take, a request without credentials, a body
that is not JSON."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from asgiref.sync import sync_to_async
from jsonschema import Draft202012Validator
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from paperex.apps.markets.services import markets_seed
from paperex.config.asgi import application
from tests.support.trading import register

pytestmark = pytest.mark.django_db(transaction=True)

METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
EXAMPLE_PATH_VALUES = {"symbol": "BTCUSDT"}
"""A path parameter's value where it must name something that exists; ids are 1."""


def published_schema() -> dict[str, Any]:
    return dict(APIClient().get("/api/schema/", {"format": "json"}).json())


def example_path(template: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda match: EXAMPLE_PATH_VALUES.get(match[1], "1"), template)


def operations(schema: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield path, method.upper(), operation


@pytest.fixture
def schema(db: None) -> dict[str, Any]:
    return published_schema()


@pytest.fixture
async def api() -> AsyncIterator[httpx.AsyncClient]:
    await sync_to_async(markets_seed)()
    transport = httpx.ASGITransport(app=application)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


@pytest.fixture
async def admin_token(api: httpx.AsyncClient) -> str:
    """An admin's token, so that admin endpoints get as far as reading the request."""
    user = await register("shape-admin")
    user.is_staff = True
    await sync_to_async(user.save)()
    return str(AccessToken.for_user(user))


def assert_one_error_shape(answer: httpx.Response, status: int, schema: dict[str, Any]) -> None:
    """``answer`` is a ``status`` with a JSON body that the schema's Error component allows."""
    where = f"{answer.request.method} {answer.request.url.path}"
    assert answer.status_code == status, f"{where}: {answer.status_code} {answer.text[:200]}"
    assert answer.headers["content-type"].startswith("application/json"), where
    body = answer.json()
    error_schema = {**schema["components"]["schemas"]["Error"], "components": schema["components"]}
    assert list(Draft202012Validator(error_schema).iter_errors(body)) == [], where
    assert body["message"], where


@pytest.mark.parametrize("method", METHODS)
async def test_a_path_without_an_endpoint_is_a_404_for_every_method(
    api: httpx.AsyncClient, schema: dict[str, Any], admin_token: str, method: str
) -> None:
    for headers in ({}, {"Authorization": f"Bearer {admin_token}"}):
        answer = await api.request(method, "/api/no-such-endpoint/", headers=headers, json={})
        assert_one_error_shape(answer, 404, schema)


async def test_a_method_an_endpoint_does_not_take_is_a_405(
    api: httpx.AsyncClient, schema: dict[str, Any], admin_token: str
) -> None:
    headers = {"Authorization": f"Bearer {admin_token}"}
    refused = 0
    for path, methods in schema["paths"].items():
        for method in set(METHODS) - {"OPTIONS"} - {name.upper() for name in methods}:
            answer = await api.request(method, example_path(path), headers=headers, json={})
            assert_one_error_shape(answer, 405, schema)
            assert answer.json()["code"] == "method_not_allowed"
            refused += 1
    assert refused > 100


async def test_an_operation_that_needs_credentials_is_a_401_without_them(
    api: httpx.AsyncClient, schema: dict[str, Any]
) -> None:
    protected = [
        (path, method)
        for path, method, operation in operations(schema)
        if {} not in operation.get("security", [{}])
    ]
    assert ("/api/orders/", "POST") in protected
    for path, method in protected:
        answer = await api.request(method, example_path(path), json={})
        assert_one_error_shape(answer, 401, schema)


async def test_a_bad_token_is_a_401_wherever_tokens_are_read(
    api: httpx.AsyncClient, schema: dict[str, Any]
) -> None:
    read = [
        (path, method)
        for path, method, operation in operations(schema)
        if {"jwtAuth": []} in operation.get("security", [])
    ]
    assert ("/api/markets/", "GET") in read  # public, but a token sent is checked
    for path, method in read:
        answer = await api.request(
            method, example_path(path), headers={"Authorization": "Bearer not-a-token"}, json={}
        )
        assert_one_error_shape(answer, 401, schema)


async def test_a_body_that_is_not_json_is_a_400(
    api: httpx.AsyncClient, schema: dict[str, Any], admin_token: str
) -> None:
    """The order lane answers POST /api/orders/ here (a token, a JSON content type)."""
    headers = {"Authorization": f"Bearer {admin_token}", "Content-Type": "application/json"}
    with_body = [
        (path, method)
        for path, method, operation in operations(schema)
        if "requestBody" in operation
    ]
    assert ("/api/orders/", "POST") in with_body
    for path, method in with_body:
        answer = await api.request(method, example_path(path), headers=headers, content=b"{not")
        assert_one_error_shape(answer, 400, schema)
