"""Every fill of Paperex's engine appears in its user's journal, once and read-only."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from paperex.apps.accounts.models import User
from paperex.apps.journal.exports import trades_export_day
from paperex.apps.journal.models import JournalTrade
from paperex.apps.journal.services import journal_fills_sync
from paperex.apps.trading.models import Fill
from tests.support.ledger import fund_btc
from tests.support.trading import place

Trader = Callable[[str], tuple[User, APIClient]]
pytestmark = pytest.mark.usefixtures("engine_host")


def test_fills_appear_as_read_only_exchange_trades_with_order_and_fee(
    make_trader: Trader,
) -> None:
    alice_user, alice = make_trader("alice")
    _, bob = make_trader("bob")
    fund_btc(alice_user, Decimal(2))
    ask = place(alice, symbol="BTCUSDT", side="SELL", price="30000", quantity="1").json()
    taker = place(bob, symbol="BTCUSDT", side="BUY", type="MARKET", quote_order_qty="15000")
    assert taker.status_code == 201, taker.json()
    manual = alice.post(
        "/api/trades/",
        {"ticker": "AAPL", "side": "BUY", "price": "1", "quantity": "1"},
        format="json",
    ).json()

    [bob_trade] = bob.get("/api/trades/").json()["results"]
    assert (bob_trade["ticker"], bob_trade["side"], bob_trade["price"]) == (
        "BTCUSDT",
        "BUY",
        "30000",
    )
    assert (bob_trade["quantity"], bob_trade["fee"], bob_trade["fee_asset"]) == (
        "0.5",
        "0.0005",
        "BTC",
    )
    assert (bob_trade["source"], bob_trade["read_only"]) == ("exchange", True)
    assert bob_trade["order_id"] == taker.json()["id"]

    alice_trades = alice.get("/api/trades/", {"source": "exchange"}).json()["results"]
    assert [(t["side"], t["fee"], t["fee_asset"], t["order_id"]) for t in alice_trades] == [
        ("SELL", "15", "USDT", ask["id"])
    ]
    assert [t["id"] for t in alice.get("/api/trades/").json()["results"]] == [
        manual["id"],
        alice_trades[0]["id"],
    ]

    path = f"/api/trades/{bob_trade['id']}/"
    for answer in (
        bob.patch(path, {"price": "1"}, format="json"),
        bob.put(
            path,
            {"ticker": "BTCUSDT", "side": "BUY", "price": "1", "quantity": "1"},
            format="json",
        ),
        bob.delete(path),
    ):
        assert answer.status_code == 403
        assert answer.json()["code"] == "read_only"
        assert "read-only" in answer.json()["message"]
    assert bob.get(path).json() == bob_trade
    assert alice.get(path).status_code == 404


def test_each_fill_is_copied_once_whoever_syncs_and_however_often(
    make_trader: Trader,
) -> None:
    alice_user, alice = make_trader("alice")
    _, bob = make_trader("bob")
    fund_btc(alice_user, Decimal(3))
    for price in ("30000", "30001", "30002"):
        place(alice, symbol="BTCUSDT", side="SELL", price=price, quantity="1")
    place(bob, symbol="BTCUSDT", side="BUY", type="MARKET", quantity="2.5")
    assert Fill.objects.count() == 6

    assert journal_fills_sync(user_id=alice_user.pk) == 3
    assert journal_fills_sync(user_id=alice_user.pk) == 0
    assert journal_fills_sync() == 3  # bob's
    assert journal_fills_sync() == 0
    assert JournalTrade.objects.filter(source="exchange").count() == 6
    assert sorted(
        JournalTrade.objects.filter(user=alice_user).values_list("quantity", flat=True)
    ) == [Decimal("0.5"), Decimal(1), Decimal(1)]


def test_the_days_export_holds_the_fills_nobody_has_listed_yet(
    make_trader: Trader, folder_export: Path
) -> None:
    alice_user, alice = make_trader("alice")
    _, bob = make_trader("bob")
    fund_btc(alice_user, Decimal(1))
    ask = place(alice, symbol="BTCUSDT", side="SELL", price="30000", quantity="1").json()
    place(bob, symbol="BTCUSDT", side="BUY", type="MARKET", quantity="1")
    assert not JournalTrade.objects.exists()

    export = trades_export_day(day=timezone.now().date())

    lines = (folder_export / export.location.split("exports/")[1]).read_text().splitlines()
    assert export.rows == 2
    assert sorted(line.split(",")[1:8] for line in lines[1:]) == [
        ["alice", "BTCUSDT", "SELL", "30000", "1", "30", "USDT"],
        ["bob", "BTCUSDT", "BUY", "30000", "1", "0.001", "BTC"],
    ]
    assert [line.split(",")[9:] for line in lines[1:] if ",alice," in line] == [
        ["exchange", str(ask["id"])]
    ]
