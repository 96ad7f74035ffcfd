"""The gateway's waiting, against a host that takes commands and does not answer in time."""

from __future__ import annotations

from concurrent.futures import Future
from typing import Any

import pytest

from paperex.apps.trading.gateway.gateway import EngineGateway
from paperex.apps.trading.protocol import EngineOutcomeUnknownError, EngineReply
from paperex.domain.commands import CancelAllOrders, EngineCommand

COMMAND = CancelAllOrders(timestamp=1, user_id=1, symbol=None)


class SilentHost:
    """Takes every command and answers none (as a host whose commit takes too long)."""

    running = True

    def __init__(self) -> None:
        self.futures: list[Future[EngineReply]] = []
        self.timeouts: list[float | None] = []

    def submit(
        self,
        command: EngineCommand,
        *,
        timeout: float | None = None,
        new_client_order_id: bool = False,
        api_key_id: int | None = None,
    ) -> Any:
        self.timeouts.append(timeout)
        self.futures.append(Future())
        return self.futures[-1]


@pytest.fixture
def host(settings: Any) -> SilentHost:
    settings.PAPEREX_ENGINE_TIMEOUT = 0.05
    return SilentHost()


def gateway_to(host: SilentHost) -> EngineGateway:
    gateway = EngineGateway()
    gateway.attach(host)
    return gateway


def test_no_answer_in_time_is_an_unknown_outcome_for_every_caller(host: SilentHost) -> None:
    gateway = gateway_to(host)
    with pytest.raises(EngineOutcomeUnknownError, match=r"^the command was sent but the engine"):
        gateway.execute_sync(COMMAND)
    with pytest.raises(EngineOutcomeUnknownError, match=r"^the command was sent but the engine"):
        gateway.execute_many_sync([COMMAND])  # funding and resets: a 503, not a 500
    assert host.timeouts == [0.05, 0.05]


async def test_an_async_caller_that_stops_waiting_leaves_the_hosts_answer_alone(
    host: SilentHost,
) -> None:
    with pytest.raises(EngineOutcomeUnknownError):
        await gateway_to(host).execute(COMMAND)
    (future,) = host.futures
    assert not future.cancelled()
    future.set_result(EngineReply())  # the host's late answer goes through


def test_a_command_that_may_take_long_is_never_dropped_and_accepted(host: SilentHost) -> None:
    assert gateway_to(host).execute_or_accept_sync(COMMAND) is None
    assert host.timeouts == [None]
