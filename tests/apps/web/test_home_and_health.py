from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.contrib import admin as django_admin
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver
from rest_framework.test import APIClient

from paperex.apps.accounts.models import User
from paperex.config.urls import api_patterns

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/", "/api/schema/", "/api/docs/", "/admin/login/"])
def test_front_pages_answer(client: Client, seeded: None, path: str) -> None:
    assert client.get(path).status_code == 200


def test_landing_page_links_docs_admin_and_lists_markets(client: Client, seeded: None) -> None:
    page = client.get("/").content.decode()
    assert 'href="/api/docs/"' in page
    assert 'href="/admin/"' in page
    assert "BTCUSDT" in page
    assert "AAPL" in page


def test_swagger_ui_is_served_without_a_cdn(client: Client) -> None:
    page = client.get("/api/docs/").content.decode()
    loaded = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert loaded
    assert all(url.startswith("/static/drf_spectacular_sidecar/") for url in loaded), loaded
    assert re.findall(r"https?://", page) == []  # nor fetched by a script from elsewhere


def api_routes(patterns: list[URLPattern | URLResolver], prefix: str = "/api/") -> Iterator[str]:
    """Every route under ``patterns`` as the schema writes it: ``/api/markets/{symbol}/``."""
    for pattern in patterns:
        route = prefix + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", str(pattern.pattern))
        if isinstance(pattern, URLResolver):
            yield from api_routes(pattern.url_patterns, route)
        else:
            yield route


def test_schema_documents_every_endpoint(api_client: APIClient) -> None:
    paths = api_client.get("/api/schema/", {"format": "json"}).json()["paths"]
    # Not endpoints: the schema and its viewer, and the JSON 404 for every other path. The
    # Binance-compatible /api/v3 answers Binance's shapes and stays out of the schema.
    routes = {route for route in api_routes(api_patterns) if "v3" not in route} - {
        "/api/schema/",
        "/api/docs/",
        "/api/",
    }
    assert len(routes) > 20
    assert routes <= set(paths), routes - set(paths)


def test_unknown_api_path_is_a_json_404(api_client: APIClient) -> None:
    response = api_client.get("/api/no-such-thing/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_every_model_in_the_admin_has_a_list_page(client: Client) -> None:
    admin = User.objects.create_superuser("root", "root@example.com", "root-password-1")
    client.force_login(admin)
    models = list(django_admin.site._registry)
    assert models
    for model in models:
        path = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        assert client.get(path).status_code == 200, path


def test_seed_command_creates_the_demo_user_and_is_idempotent() -> None:
    call_command("seed")
    call_command("seed")
    demo = User.objects.get(username="demo")
    assert demo.check_password("demo12345")
    assert {b.asset.code: b.free for b in demo.balances.select_related("asset")} == {
        "USD": 100000,
        "USDT": 100000,
    }
