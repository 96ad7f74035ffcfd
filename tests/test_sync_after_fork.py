"""``sync_to_async`` still runs in a fork of a process that used it (what mutmut does to run each
mutant's tests): ``tests/conftest.py`` gives the fork an executor of its own."""

from __future__ import annotations

import asyncio
import os
import signal

from asgiref.sync import sync_to_async


def test_sync_to_async_answers_in_a_fork_of_a_process_that_used_it() -> None:
    assert asyncio.run(sync_to_async(os.getpid)()) == os.getpid()  # the worker thread runs now
    child = os.fork()
    if child == 0:  # the fork: answer within 5 s or be stopped by the alarm
        signal.alarm(5)
        answered = asyncio.run(sync_to_async(os.getpid)()) == os.getpid()
        os._exit(0 if answered else 1)
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0
