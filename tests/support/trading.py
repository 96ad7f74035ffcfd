"""Users and orders for tests of the Django side of trading."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from asgiref.sync import sync_to_async
from django.db import connection, transaction
from rest_framework.test import APIClient

from paperex.apps.accounts.models import User
from paperex.apps.accounts.services import user_register
from paperex.apps.trading.models import Balance
from tests.support.threads import CheckedThread

PASSWORD = "correct-horse-battery"


def place(client: APIClient, **fields: Any) -> Any:
    """POST /api/orders/ as JSON."""
    return client.post("/api/orders/", fields, format="json")


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
