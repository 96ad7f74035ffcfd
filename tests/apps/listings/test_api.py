"""REST of new listings: the snapshot, checking now, the history; per user; a venue away."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from paperex.apps.accounts.models import User
from paperex.apps.accounts.services import user_register
from tests.apps.listings.conftest import FakeVenue
from tests.support.network import unused_port

pytestmark = pytest.mark.django_db


def client_of(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_check_snapshot_and_history(trader: User, venue: FakeVenue) -> None:
    client = client_of(trader)
    first = client.post("/api/listings/check/", {}, format="json")
    assert first.status_code == 200
    assert first.json() == {"venue": "synthetic", "new": []}
    snapshot = client.get("/api/listings/").json()
    assert [(row["symbol"], row["price"]) for row in snapshot["results"]] == [
        ("BTCUSDT", "60000"),
        ("ETHUSDT", "3000"),
    ]
    venue.prices["NEWUSDT"] = "0.00012300"
    found = client.post("/api/listings/check/", {"venue": "synthetic"}, format="json").json()
    assert [(row["symbol"], row["price"]) for row in found["new"]] == [("NEWUSDT", "0.000123")]
    assert client.post("/api/listings/check/", {}, format="json").json()["new"] == []
    venue.prices["LATERUSDT"] = "7"
    client.post("/api/listings/check/", {}, format="json")
    history = client.get("/api/listings/new/?limit=1").json()
    assert history["count"] == 2
    assert [row["symbol"] for row in history["results"]] == ["LATERUSDT"]  # newest first
    assert history["results"][0]["first_seen_at"].endswith("Z")


def test_each_user_sees_only_their_own_snapshot_and_history(trader: User, venue: FakeVenue) -> None:
    client_of(trader).post("/api/listings/check/", {}, format="json")
    venue.prices["NEWUSDT"] = "1"
    client_of(trader).post("/api/listings/check/", {}, format="json")
    bob = client_of(user_register(username="bob", password="correct-horse-battery"))
    assert bob.get("/api/listings/").json()["count"] == 0
    assert bob.get("/api/listings/new/").json()["count"] == 0
    assert client_of(trader).get("/api/listings/new/").json()["count"] == 1


def test_a_venue_away_is_a_503_with_retry_after_and_the_snapshot_stays(
    trader: User, venue: FakeVenue
) -> None:
    client = client_of(trader)
    client.post("/api/listings/check/", {}, format="json")
    venue.down = True
    answer = client.post("/api/listings/check/", {}, format="json")
    assert answer.status_code == 503
    assert answer["Retry-After"] == "30"
    assert answer.json() == {
        "code": "venue_unavailable",
        "message": "synthetic did not list its symbols: connection refused",
    }
    assert client.get("/api/listings/").json()["count"] == 2


def test_a_venue_not_checked_here_is_a_400_and_anonymous_callers_a_401(
    trader: User, venue: FakeVenue
) -> None:
    answer = client_of(trader).post("/api/listings/check/", {"venue": "binance"}, format="json")
    assert answer.status_code == 400
    assert answer.json()["errors"] == {"venue": ["binance is not checked on this server."]}
    assert client_of(trader).get("/api/listings/?venue=nope").status_code == 400
    for path in ("/api/listings/", "/api/listings/new/"):
        assert APIClient().get(path).status_code == 401
    assert APIClient().post("/api/listings/check/").status_code == 401


def test_binance_is_checked_first_when_its_feed_is_configured(trader: User, settings: Any) -> None:
    settings.PAPEREX_FEEDS = ["binance", "synthetic"]
    settings.PAPEREX_BINANCE_REST_URL = f"http://127.0.0.1:{unused_port()}"
    answer = client_of(trader).post("/api/listings/check/", {}, format="json")
    assert answer.status_code == 503
    assert answer.json()["message"].startswith("binance did not list its symbols: ")
    assert client_of(trader).get("/api/listings/?venue=binance").json()["count"] == 0
