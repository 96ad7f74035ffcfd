"""What the account endpoints answer matches the OpenAPI schema they publish."""

from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from rest_framework.test import APIClient

from paperex.apps.accounts.models import User


def response_validator(client: APIClient, path: str, method: str, status: str) -> Any:
    """A validator of ``method path``'s ``status`` answer, formats checked, per the schema."""
    document = client.get("/api/schema/", {"format": "json"}).json()
    content = document["paths"][path][method]["responses"][status]["content"]
    schema = {**content["application/json"]["schema"], "components": document["components"]}
    return Draft202012Validator(schema, format_checker=FormatChecker())


def test_an_account_registered_without_an_email_matches_its_schema(
    api_client: APIClient, seeded: None
) -> None:
    registered = api_client.post(
        "/api/auth/register/",
        {"username": "bob", "password": "correct-horse-battery"},
        format="json",
    )
    assert registered.status_code == 201
    api_client.force_authenticate(User.objects.get(username="bob"))
    account = api_client.get("/api/account/")
    assert account.status_code == 200
    assert account.json()["email"] == ""
    errors = list(
        response_validator(api_client, "/api/account/", "get", "200").iter_errors(account.json())
    )
    assert errors == []
