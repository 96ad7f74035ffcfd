from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from asgiref.sync import SyncToAsync
from rest_framework.test import APIClient

from paperex.apps.accounts.models import User
from paperex.apps.accounts.services import user_register
from paperex.apps.core import limits
from paperex.apps.markets.services import markets_seed
from paperex.support.rate_window import SlidingWindowCounts
from tests.support.redis_server import NO_REDIS, redis_for_tests
from tests.support.threads import threads_left_running
from tests.support.timeouts import pytest_addoption, pytest_collection_modifyitems

__all__ = ["pytest_addoption", "pytest_collection_modifyitems"]


def _fresh_sync_executor() -> None:
    """A fork keeps asgiref's executor but not its worker thread, and the executor, counting
    that worker as idle, starts no other: every ``sync_to_async`` in the fork would wait for
    ever (until the test's timeout). mutmut runs each mutant's tests in a fork of the process
    that ran them once, so without this a mutant was "killed" by a hang, 30 s late."""
    SyncToAsync.single_thread_executor = ThreadPoolExecutor(max_workers=1)


os.register_at_fork(after_in_child=_fresh_sync_executor)


def kept_by_a_library(thread: threading.Thread) -> bool:
    """asgiref runs ``sync_to_async`` code (Channels' database calls too) on the one worker of a
    process-wide executor, started on first use and kept for good. A worker of an event loop's
    default executor (``asyncio_N``) lives as long as its loop: asyncio.run and pytest-asyncio
    end it with the loop, and the loop of a session's fixture (Playwright's browser) lives on."""
    return thread in SyncToAsync.single_thread_executor._threads or thread.name.startswith(
        "asyncio_"
    )


@pytest.fixture(autouse=True)
def no_thread_left_running() -> Iterator[None]:
    """Fails a test that leaves a (non-daemon) thread of its own running after its fixtures
    were torn down."""
    before = set(threading.enumerate())
    yield
    left = threads_left_running(before, allowed=kept_by_a_library, timeout=5)
    assert not left, f"threads still running after the test: {left}"


@pytest.fixture(autouse=True)
def fresh_limit_counts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts with no request, order or login counted against the limits."""
    monkeypatch.setattr(limits, "counts", SlidingWindowCounts())


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
