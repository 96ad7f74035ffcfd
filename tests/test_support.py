from __future__ import annotations

import asyncio
import logging
import os
import signal
import time
from collections.abc import Callable

import pytest

from paperex.support import process_exit
from paperex.support.async_tasks import cancel_and_wait
from paperex.support.backoff import BackoffPolicy
from paperex.support.clock import wall_clock_ms
from paperex.support.supervision import supervise
from paperex.support.unique_ids import ProcessIds


async def test_every_task_is_cancelled_and_finished_and_none_is_skipped() -> None:
    blocked = [asyncio.create_task(asyncio.sleep(60)) for _ in range(3)]
    finished = asyncio.create_task(asyncio.sleep(0))
    await finished
    await cancel_and_wait(*blocked, None, finished)
    assert all(task.cancelled() for task in blocked)
    assert finished.done()
    assert not finished.cancelled()


async def test_a_task_that_had_failed_is_logged_and_the_others_still_stopped(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def fails() -> None:
        raise RuntimeError("it broke")

    failed = asyncio.create_task(fails(), name="failing-task")
    blocked = asyncio.create_task(asyncio.sleep(60))
    await asyncio.wait({failed})
    with caplog.at_level(logging.ERROR, logger="paperex.support.async_tasks"):
        await cancel_and_wait(failed, blocked)
    assert blocked.cancelled()
    (record,) = caplog.records
    assert "failing-task" in record.getMessage()
    assert record.exc_info is not None
    assert "it broke" in str(record.exc_info[1])


def test_the_wall_clock_counts_milliseconds_since_the_epoch() -> None:
    before = time.time_ns() // 1_000_000
    now = wall_clock_ms()
    after = time.time_ns() // 1_000_000
    assert before <= now <= after


class OutageError(ConnectionError):
    """A transient failure of a test's pretend service."""


async def test_a_transient_failure_is_retried_with_backoff_and_logged_once_per_outage(
    caplog: pytest.LogCaptureFixture,
) -> None:
    waits: list[float] = []
    calls = 0

    async def no_wait(seconds: float) -> None:
        waits.append(seconds)

    async def body(working: Callable[[], None]) -> None:
        nonlocal calls
        calls += 1
        if calls in (1, 2, 3):  # one outage of three failed attempts
            raise OutageError("connection refused")
        if calls == 4:
            working()
            raise OutageError("connection reset")  # a second outage, after it worked
        if calls == 5:
            working()  # and it is over: the body returns

    policy = BackoffPolicy(initial_delay=1.0, maximum_delay=8.0, multiplier=2.0, jitter=0.0)
    with caplog.at_level(logging.WARNING, logger="paperex.supervision"):
        await supervise(
            "pretend loop", body, transient=(OutageError,), backoff=policy, sleep=no_wait
        )
    assert calls == 5
    assert waits == [1.0, 2.0, 4.0, 1.0]  # the backoff starts over once it worked
    messages = [record.getMessage() for record in caplog.records]
    assert len([m for m in messages if "failed" in m]) == 2
    assert len([m for m in messages if "works again" in m]) == 2
    assert "connection refused" in messages[0]


async def test_any_other_failure_ends_the_loop() -> None:
    async def body(working: Callable[[], None]) -> None:
        raise KeyError("a bug")

    with pytest.raises(KeyError):
        await supervise("pretend loop", body, transient=(OutageError,))


async def test_a_task_that_swallows_its_cancellation_is_cancelled_again() -> None:
    swallowed: list[bool] = []

    async def swallows_once() -> None:
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            swallowed.append(True)  # as a client tidying a connection may
        await asyncio.sleep(30)

    task = asyncio.create_task(swallows_once())
    await asyncio.sleep(0)
    stopping = asyncio.create_task(cancel_and_wait(task))
    done, _ = await asyncio.wait({stopping}, timeout=2)
    task.cancel()  # in case it did not stop it
    assert done == {stopping}
    assert swallowed == [True]
    assert task.cancelled()


def test_a_requested_exit_stops_the_process_as_sigterm_would_and_sets_its_status(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sent: list[tuple[int, int]] = []
    monkeypatch.setattr(process_exit.os, "kill", lambda pid, sig: sent.append((pid, sig)))
    monkeypatch.setattr(process_exit, "_status", 0)
    assert process_exit.exit_status() == 0
    process_exit.exit_requested(3)
    assert sent == [(os.getpid(), signal.SIGTERM)]
    assert process_exit.exit_status() == 3


async def test_a_process_exits_once_its_parent_is_no_longer_its_parent(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    requested: list[int] = []
    parents = iter([41, 41, 1])  # adopted by init on the third look
    monkeypatch.setattr(process_exit.os, "getppid", lambda: next(parents))
    monkeypatch.setattr(process_exit, "exit_requested", lambda: requested.append(1))
    await asyncio.wait_for(process_exit.exit_with_parent(41, every=0), timeout=5)
    assert requested == [1]
    assert next(parents, None) is None  # it went on while its parent was 41


def test_process_ids_count_up_and_a_forked_child_draws_its_own_tag() -> None:
    ids = ProcessIds(tag_bytes=4)
    assert [ids.next_id(width=4) for _ in range(2)] == [f"{ids.tag}0000", f"{ids.tag}0001"]
    assert len(ids.tag) == 8
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child reports through the pipe
        os.write(write, f"{ids.tag} {ids.next_id()}".encode())
        os._exit(0)
    os.waitpid(child, 0)
    child_tag, child_id = os.read(read, 100).decode().split()
    assert child_tag != ids.tag
    assert child_id == f"{child_tag}0"
