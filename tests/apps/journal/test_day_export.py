"""A day's trades as trades.csv bytes: the same text from PostgreSQL's COPY and from Python."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from paperex.apps.accounts.models import User
from paperex.apps.journal import day_export
from paperex.apps.journal.day_export import day_csv_chunks, day_trade_count
from paperex.apps.journal.models import JournalTrade

pytestmark = pytest.mark.django_db

DAY = date(2025, 1, 20)


def trade(user: User, at: str, **fields: object) -> JournalTrade:
    values: dict[str, object] = {
        "ticker": "AAPL",
        "side": "BUY",
        "price": Decimal("150.75"),
        "quantity": Decimal(10),
        **fields,
    }
    return JournalTrade.objects.create(
        user=user, executed_at=datetime.fromisoformat(at).replace(tzinfo=UTC), **values
    )


def test_the_day_in_time_order_from_every_user_in_the_export_format() -> None:
    alice = User.objects.create(username="alice")
    bob = User.objects.create(username="bob.b-1")
    trade(alice, "2025-01-19T23:59:59.999999")
    late = trade(alice, "2025-01-20T23:59:59.999999", ticker="BRK.B", side="SELL")
    first = trade(
        bob,
        "2025-01-20T00:00:00",
        ticker="BTCUSDT",
        price=Decimal("97000.10000000"),
        quantity=Decimal("0.000100000000"),
        fee=Decimal("0.0000001"),
        fee_asset="BTC",
        source="exchange",
        order_id=42,
    )
    middle = trade(alice, "2025-01-20T12:30:00.5", fee=Decimal(0), fee_asset="USD")
    trade(bob, "2025-01-21T00:00:00")

    text = b"".join(day_csv_chunks(DAY)).decode()

    assert text == (
        "id,user,ticker,side,price,quantity,fee,fee_asset,timestamp,source,order_id\n"
        f"{first.pk},bob.b-1,BTCUSDT,BUY,97000.1,0.0001,0.0000001,BTC,"
        "2025-01-20T00:00:00.000000Z,exchange,42\n"
        f"{middle.pk},alice,AAPL,BUY,150.75,10,0,USD,2025-01-20T12:30:00.500000Z,manual,\n"
        f"{late.pk},alice,BRK.B,SELL,150.75,10,,,2025-01-20T23:59:59.999999Z,manual,\n"
    )
    assert day_trade_count(DAY) == 3


def test_a_large_day_comes_in_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(day_export, "CHUNK_BYTES", 200)
    alice = User.objects.create(username="alice")
    JournalTrade.objects.bulk_create(
        JournalTrade(
            user=alice,
            ticker="AAPL",
            side="BUY",
            price=Decimal(1),
            quantity=Decimal(1),
            executed_at=datetime(2025, 1, 20, 1, 0, second, tzinfo=UTC),
        )
        for second in range(50)
    )
    chunks = list(day_csv_chunks(DAY))
    assert len(chunks) > 5
    assert all(chunk.endswith(b"\n") for chunk in chunks)
    assert b"".join(chunks).count(b"\n") == 51
