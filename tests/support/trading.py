"""Users and orders for tests of the Django side of trading."""

from __future__ import annotations

from typing import Any

from asgiref.sync import sync_to_async
from rest_framework.test import APIClient

from paperex.apps.accounts.models import User
from paperex.apps.accounts.services import user_register

PASSWORD = "correct-horse-battery"


def place(client: APIClient, **fields: Any) -> Any:
    """POST /api/orders/ as JSON."""
    return client.post("/api/orders/", fields, format="json")


async def register(username: str) -> User:
    """A new user with the starting balances."""
    return await sync_to_async(user_register)(username=username, password=PASSWORD)
