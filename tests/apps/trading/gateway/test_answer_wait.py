"""How an async caller waits for the host's answer (``gateway._answer``): the answer or the
host's error as they are, an unknown outcome after the wait, and the host's future left alone."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import Future

import pytest

from paperex.apps.trading.gateway.gateway import _answer
from paperex.apps.trading.protocol import EngineOutcomeUnknownError, EngineReply

CALLBACK_ERRORS = ("exception calling callback", "Exception in callback")


def errors_logged(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.getMessage().startswith(CALLBACK_ERRORS)]


async def test_the_hosts_answer_from_its_thread_is_returned_as_it_is() -> None:
    future: Future[EngineReply] = Future()
    reply = EngineReply(duplicate_of=7)
    host = threading.Thread(target=future.set_result, args=(reply,))
    host.start()
    assert await _answer(future, timeout=5) is reply
    host.join(timeout=5)
    assert not host.is_alive()


async def test_an_answer_already_there_is_returned_at_once() -> None:
    future: Future[EngineReply] = Future()
    future.set_result(EngineReply(rejection_reason="NOTIONAL"))
    assert (await _answer(future, timeout=5)).rejection_reason == "NOTIONAL"


async def test_the_hosts_error_reaches_the_caller_as_it_is() -> None:
    future: Future[EngineReply] = Future()
    future.set_exception(LookupError("no such market"))
    with pytest.raises(LookupError, match="no such market"):
        await _answer(future, timeout=5)


async def test_no_answer_in_time_is_an_unknown_outcome_and_the_hosts_future_stays_open(
    caplog: pytest.LogCaptureFixture,
) -> None:
    future: Future[EngineReply] = Future()
    with pytest.raises(EngineOutcomeUnknownError):
        await _answer(future, timeout=0.01)
    assert not future.done()
    future.set_exception(RuntimeError("a late failure"))
    await asyncio.sleep(0)  # the late answer reaches the loop, which drops it quietly
    assert errors_logged(caplog) == []


async def test_a_caller_cancelled_while_waiting_leaves_the_hosts_future_alone() -> None:
    future: Future[EngineReply] = Future()
    waiting = asyncio.create_task(_answer(future, timeout=5))
    await asyncio.sleep(0)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    assert not future.cancelled()
    future.set_result(EngineReply())


def test_an_answer_after_the_callers_loop_closed_is_dropped_quietly(
    caplog: pytest.LogCaptureFixture,
) -> None:
    future: Future[EngineReply] = Future()
    loop = asyncio.new_event_loop()
    with pytest.raises(EngineOutcomeUnknownError):
        loop.run_until_complete(_answer(future, timeout=0.01))
    loop.close()
    future.set_result(EngineReply())
    assert errors_logged(caplog) == []
