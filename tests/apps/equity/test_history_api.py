from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from paperex.apps.accounts.models import User
from paperex.apps.accounts.services import user_register
from paperex.apps.equity.models import EquitySnapshot

pytestmark = pytest.mark.django_db


def client_of(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def snapshot(user: User, taken_at: datetime, equity: str) -> None:
    EquitySnapshot.objects.create(user=user, taken_at=taken_at, equity=Decimal(equity))


def test_each_user_reads_only_their_own_history_oldest_first(trader: User) -> None:
    bob = user_register(username="bob", password="correct-horse-battery")
    now = timezone.now()
    snapshot(trader, now - timedelta(minutes=1), "200100.5")
    snapshot(trader, now - timedelta(minutes=2), "200000")
    snapshot(bob, now - timedelta(minutes=1), "150000")

    alice_history = client_of(trader).get("/api/portfolio/equity/").json()
    bob_history = client_of(bob).get("/api/portfolio/equity/").json()

    assert [point["equity"] for point in alice_history] == ["200000", "200100.5"]
    assert alice_history[0]["taken_at"].endswith("Z")
    assert [point["equity"] for point in bob_history] == ["150000"]


def test_since_bounds_the_history_and_defaults_to_a_day(trader: User) -> None:
    now = timezone.now()
    snapshot(trader, now - timedelta(days=3), "1")
    snapshot(trader, now - timedelta(hours=30), "2")
    snapshot(trader, now - timedelta(hours=1), "3")
    client = client_of(trader)

    recent = client.get("/api/portfolio/equity/").json()
    since = (now - timedelta(days=2)).astimezone(UTC).isoformat()
    bounded = client.get("/api/portfolio/equity/", {"since": since}).json()

    assert [point["equity"] for point in recent] == ["3"]
    assert [point["equity"] for point in bounded] == ["2", "3"]


def test_a_bad_since_is_a_400_with_a_message(trader: User) -> None:
    response = client_of(trader).get("/api/portfolio/equity/", {"since": "yesterday"})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["message"].startswith("since: Datetime has wrong format.")
    assert "since" in body["errors"]


def test_the_history_needs_a_login(seeded: None) -> None:
    assert APIClient().get("/api/portfolio/equity/").status_code == 401


def test_the_schema_documents_the_endpoint(seeded: None) -> None:
    schema = APIClient().get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/portfolio/equity/"]["get"]
    assert [parameter["name"] for parameter in operation["parameters"]] == ["since"]
    assert "200" in operation["responses"]


def test_a_long_history_is_cut_to_its_newest_points(
    trader: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("paperex.apps.equity.selectors.HISTORY_MAX_POINTS", 2)
    now = timezone.now()
    for minutes, equity in ((3, "1"), (2, "2"), (1, "3")):
        snapshot(trader, now - timedelta(minutes=minutes), equity)
    history = client_of(trader).get("/api/portfolio/equity/").json()
    assert [point["equity"] for point in history] == ["2", "3"]
