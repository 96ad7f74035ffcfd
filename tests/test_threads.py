"""The test kit's threads: what one raises reaches the test, and one left running is found."""

from __future__ import annotations

import threading

import pytest

from tests.support.threads import CheckedThread, threads_left_running


def test_a_checked_thread_returns_its_result_and_hands_its_failure_to_the_test() -> None:
    assert CheckedThread(sum, [1, 2, 3]).start().result(timeout=5) == 6

    def fails() -> None:
        raise AssertionError("checked in a thread")

    with pytest.raises(AssertionError, match="checked in a thread"):
        CheckedThread(fails).start().result(timeout=5)


def test_a_checked_thread_still_running_at_its_deadline_fails_the_test() -> None:
    release = threading.Event()
    waiting = CheckedThread(release.wait, name="waiter").start()
    with pytest.raises(AssertionError, match=r"waiter still runs after 0\.1 s"):
        waiting.result(timeout=0.1)
    release.set()
    assert waiting.result(timeout=5) is True


def test_only_a_new_non_daemon_thread_that_goes_on_running_is_left_running() -> None:
    release = threading.Event()
    before = set(threading.enumerate())
    lingering = threading.Thread(target=release.wait, name="lingering")
    daemon = threading.Thread(target=release.wait, daemon=True)
    allowed = threading.Thread(target=release.wait, name="allowed")
    finished = threading.Thread(target=lambda: None)
    for thread in (lingering, daemon, allowed, finished):
        thread.start()
    try:
        left = threads_left_running(
            before, allowed=lambda thread: thread.name == "allowed", timeout=0.2
        )
        assert left == [lingering]
    finally:
        release.set()
    assert threads_left_running(before, allowed=lambda thread: False, timeout=5) == []
