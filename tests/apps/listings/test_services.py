"""Checking a venue for new listings: snapshots per user, each listing found once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from paperex.apps.accounts.models import User
from paperex.apps.accounts.services import user_register
from paperex.apps.alerts.models import AlertTrigger
from paperex.apps.core.errors import render_error
from paperex.apps.listings.models import NewListing, SeenSymbol
from paperex.apps.listings.services import (
    VenueUnavailableApiError,
    listings_check,
    listings_check_everyone,
)
from tests.apps.listings.conftest import FakeVenue

pytestmark = pytest.mark.django_db


def check(user: User) -> list[str]:
    return [listing.symbol for listing in listings_check(user_id=user.pk, venue="synthetic")]


def test_the_first_check_stores_the_snapshot_and_finds_nothing_new(
    trader: User, venue: FakeVenue
) -> None:
    assert check(trader) == []
    snapshot = SeenSymbol.objects.filter(user=trader, venue="synthetic")
    assert {(row.symbol, row.price) for row in snapshot} == {
        ("BTCUSDT", Decimal("60000")),
        ("ETHUSDT", Decimal("3000")),
    }
    assert not NewListing.objects.exists()


def test_a_new_symbol_is_found_once_then_never_again(trader: User, venue: FakeVenue) -> None:
    check(trader)
    venue.prices["NEWUSDT"] = "0.0123"
    found = listings_check(user_id=trader.pk, venue="synthetic")
    assert [(item.symbol, item.price) for item in found] == [("NEWUSDT", Decimal("0.0123"))]
    assert check(trader) == []
    venue.prices.pop("NEWUSDT")
    check(trader)
    venue.prices["NEWUSDT"] = "0.02"  # delisted and listed again: seen already
    assert check(trader) == []
    assert NewListing.objects.filter(user=trader).count() == 1


def test_two_users_have_separate_snapshots(trader: User, venue: FakeVenue) -> None:
    bob = user_register(username="bob", password="correct-horse-battery")
    check(trader)
    venue.prices["NEWUSDT"] = "1"
    assert check(bob) == []  # bob's first check: NEWUSDT is part of his snapshot
    assert check(trader) == ["NEWUSDT"]
    venue.prices["LATERUSDT"] = "2"
    assert check(bob) == ["LATERUSDT"]
    assert check(trader) == ["LATERUSDT"]


def test_a_venue_that_does_not_answer_is_a_503_and_keeps_the_snapshot(
    trader: User, venue: FakeVenue
) -> None:
    check(trader)
    venue.prices["NEWUSDT"] = "1"
    venue.down = True
    with pytest.raises(VenueUnavailableApiError) as raised:
        check(trader)
    rendered = render_error(raised.value)
    assert rendered is not None
    assert (rendered.status, rendered.body["code"]) == (503, "venue_unavailable")
    assert rendered.headers() == {"Retry-After": "30"}
    assert SeenSymbol.objects.filter(user=trader).count() == 2
    venue.down = False
    assert check(trader) == ["NEWUSDT"]


def test_the_job_notifies_each_user_once_in_the_alert_history_and_on_the_stream(
    trader: User, venue: FakeVenue, monkeypatch: pytest.MonkeyPatch
) -> None:
    bob = user_register(username="bob", password="correct-horse-battery")
    sent: list[tuple[int, dict[str, Any]]] = []

    async def publish(user_id: int, payload: dict[str, Any]) -> None:
        sent.append((user_id, payload))

    monkeypatch.setattr("paperex.apps.listings.services.alert_publish", publish)
    asyncio.run(listings_check_everyone(["synthetic"]))  # everyone's first check
    venue.prices["NEWUSDT"] = "0.5"
    asyncio.run(listings_check_everyone(["synthetic"]))
    asyncio.run(listings_check_everyone(["synthetic"]))
    assert sorted(user_id for user_id, _ in sent) == sorted([trader.pk, bob.pk])
    assert {payload["symbol"] for _, payload in sent} == {"NEWUSDT"}
    assert sent[0][1]["message"] == "NEWUSDT is new on synthetic at 0.5"
    history = AlertTrigger.objects.filter(user=trader)
    assert [(row.symbol, row.alert_id, row.price) for row in history] == [
        ("NEWUSDT", None, Decimal("0.5"))
    ]


def test_the_job_skips_a_venue_that_does_not_answer(
    trader: User, venue: FakeVenue, caplog: pytest.LogCaptureFixture
) -> None:
    venue.down = True
    asyncio.run(listings_check_everyone(["synthetic"]))
    assert not SeenSymbol.objects.exists()
    assert "listings check skipped: synthetic did not list its symbols" in caplog.text


def test_a_listing_another_process_recorded_first_is_not_told_again(
    trader: User, venue: FakeVenue, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The other process's history row won the insert; its snapshot row is not visible to this
    check yet (both read the snapshot before either committed)."""
    sent: list[int] = []

    async def publish(user_id: int, payload: dict[str, Any]) -> None:
        sent.append(user_id)

    monkeypatch.setattr("paperex.apps.listings.services.alert_publish", publish)
    check(trader)
    venue.prices["NEWUSDT"] = "1"
    NewListing.objects.create(
        user=trader, venue="synthetic", symbol="NEWUSDT", price=1, first_seen_at=datetime.now(UTC)
    )
    asyncio.run(listings_check_everyone(["synthetic"]))
    assert sent == []
    assert not AlertTrigger.objects.exists()
    assert SeenSymbol.objects.filter(user=trader, symbol="NEWUSDT").exists()
