from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from paperex.apps.accounts.models import User
from paperex.apps.accounts.services import user_register
from paperex.apps.markets.services import markets_seed


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def seeded(db: None) -> None:
    markets_seed()


@pytest.fixture
def trader(seeded: None) -> User:
    return user_register(username="alice", password="correct-horse-battery", email="a@example.com")
