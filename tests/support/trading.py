"""Users and orders for tests of the Django side of trading."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from asgiref.sync import sync_to_async
from django.db import connection, transaction
from rest_framework.test import APIClient

from paperex.apps.accounts.models import User
from paperex.apps.accounts.services import user_register
from paperex.apps.trading.catalog import catalog_read
from paperex.apps.trading.models import Balance
from paperex.domain import OrderType, Side, TimeInForce
from paperex.domain.commands import PlaceOrder
from tests.support.threads import CheckedThread

PASSWORD = "correct-horse-battery"


def place(client: APIClient, **fields: Any) -> Any:
    """POST /api/orders/ as JSON."""
    return client.post("/api/orders/", fields, format="json")


def btc_bid(user_id: int, price: str = "20000", client_order_id: str | None = None) -> PlaceOrder:
    """An engine command for a small resting buy: 0.001 BTC at ``price`` USDT."""
    market = catalog_read().market("BTCUSDT")
    return PlaceOrder(
        timestamp=1,
        user_id=user_id,
        symbol="BTCUSDT",
        side=Side.BUY,
        order_type=OrderType.LIMIT,
        time_in_force=TimeInForce.GTC,
        price=market.ticks(Decimal(price)),
        quantity=market.lots(Decimal("0.001")),
        client_order_id=client_order_id,
    )


async def register(username: str) -> User:
    """A new user with the starting balances."""
    return await sync_to_async(user_register)(username=username, password=PASSWORD)


@contextmanager
def commits_held(user: User) -> Iterator[None]:
    """While inside, the engine host takes commands as ever but cannot commit a batch that
    touches the user's balances, as with a slow commit: another connection holds them locked
    (the whole database, on SQLite). On leaving, the batch commits."""
    locked, release = threading.Event(), threading.Event()

    def hold() -> None:
        try:
            with transaction.atomic():
                list(Balance.objects.select_for_update().filter(user=user))
                locked.set()
                release.wait(30)
        finally:
            connection.close()

    holder = CheckedThread(hold, name="commit-holder").start()
    try:
        assert locked.wait(10), "could not lock the user's balances"
        yield
    finally:
        release.set()
        holder.result(timeout=30)
