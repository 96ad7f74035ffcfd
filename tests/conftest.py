from __future__ import annotations

from collections.abc import Iterator

import pytest
from rest_framework.test import APIClient

from paperex.apps.accounts.models import User
from paperex.apps.accounts.services import user_register
from paperex.apps.markets.services import markets_seed
from tests.support.redis_server import NO_REDIS, redis_for_tests


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def seeded(db: None) -> None:
    markets_seed()


@pytest.fixture
def trader(seeded: None) -> User:
    return user_register(username="alice", password="correct-horse-battery", email="a@example.com")


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """A Redis for the tests that need one (see ``redis_for_tests``), shared by the session;
    the test is skipped, naming what is missing, when there is none."""
    with redis_for_tests() as url:
        if url is None:
            pytest.skip(NO_REDIS)
        yield url
