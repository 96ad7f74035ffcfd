from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client
from rest_framework.test import APIClient

from paperex.apps.accounts.models import User

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
    assert "cdn" not in page.lower()
    assert "/static/drf_spectacular_sidecar/" in page


def test_schema_documents_every_endpoint(api_client: APIClient) -> None:
    paths = api_client.get("/api/schema/", {"format": "json"}).json()["paths"]
    for path in [
        "/api/health/",
        "/api/health/ready/",
        "/api/health/live/",
        "/api/auth/register/",
        "/api/token/",
        "/api/token/refresh/",
        "/api/account/",
        "/api/assets/",
        "/api/markets/",
        "/api/markets/{symbol}/",
    ]:
        assert path in paths


def test_unknown_api_path_is_a_json_404(api_client: APIClient) -> None:
    response = api_client.get("/api/no-such-thing/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_admin_lists_every_model(client: Client) -> None:
    admin = User.objects.create_superuser("root", "root@example.com", "root-password-1")
    client.force_login(admin)
    for path in [
        "accounts/user",
        "markets/asset",
        "markets/market",
        "markets/candle",
        "trading/balance",
        "equity/equitysnapshot",
    ]:
        assert client.get(f"/admin/{path}/").status_code == 200, path


def test_seed_command_creates_the_demo_user_and_is_idempotent() -> None:
    call_command("seed")
    call_command("seed")
    demo = User.objects.get(username="demo")
    assert demo.check_password("demo12345")
    assert {b.asset.code: b.free for b in demo.balances.select_related("asset")} == {
        "USD": 100000,
        "USDT": 100000,
    }
