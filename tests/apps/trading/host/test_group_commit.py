"""Group commit through the running host: commands queued together are written in one batch,
and a balance that several of them change is stored as the engine left it after the last."""

from __future__ import annotations

from concurrent.futures import Future
from decimal import Decimal

from paperex.apps.accounts.services import user_register
from paperex.apps.trading.catalog import catalog_read
from paperex.apps.trading.host.host import EngineHost
from paperex.apps.trading.protocol import EngineReply
from paperex.domain import OrderType, Side, TimeInForce
from paperex.domain.commands import Deposit, EngineCommand, PlaceOrder
from paperex.support.clock import wall_clock_ms
from tests.support.balances import engine_balances, stored_balances
from tests.support.ledger import assert_balances_equal_ledger
from tests.support.trading import PASSWORD

ANSWER_SECONDS = 10


def limit(user_id: int, side: Side, price: str, quantity: str) -> PlaceOrder:
    """A GTC limit order on BTCUSDT."""
    market = catalog_read().market("BTCUSDT")
    return PlaceOrder(
        timestamp=wall_clock_ms(),
        user_id=user_id,
        symbol="BTCUSDT",
        side=side,
        order_type=OrderType.LIMIT,
        time_in_force=TimeInForce.GTC,
        price=market.ticks(Decimal(price)),
        quantity=market.lots(Decimal(quantity)),
    )


def test_commands_queued_together_commit_in_one_batch_storing_each_balance_as_last_changed(
    market_data: None,
) -> None:
    alice = user_register(username="alice", password=PASSWORD).pk
    bob = user_register(username="bob", password=PASSWORD).pk
    # Alice's BTC changes with every command but Bob's buy; her USDT and Bob's BTC and USDT
    # change more than once too (the trade, its fees, the last bid's lock).
    commands: list[EngineCommand] = [
        Deposit(timestamp=wall_clock_ms(), user_id=alice, asset="BTC", amount=10_000_000),
        limit(alice, Side.SELL, "30000", "0.05"),
        limit(alice, Side.SELL, "30000", "0.05"),
        limit(bob, Side.BUY, "30000", "0.08"),
        Deposit(timestamp=wall_clock_ms(), user_id=alice, asset="BTC", amount=5_000_000),
        limit(bob, Side.BUY, "20000", "0.01"),
        limit(alice, Side.BUY, "20000", "0.01"),
    ]
    host = EngineHost()
    # Queued before the writer starts, so that its first batch takes them all.
    answers: list[Future[EngineReply]] = [host.submit(command) for command in commands]
    host.start()
    try:
        replies = [answer.result(ANSWER_SECONDS) for answer in answers]
        assert [reply.rejection_reason for reply in replies] == [None] * len(commands)
        assert (host.batches, host.commands) == (1, len(commands))
        assert host.catalog is not None
        assert host.state is not None
        stored = stored_balances(host.catalog)
        assert stored == engine_balances(host.state.engine)
        assert stored[(alice, "BTC")] == (15_000_000 - 10_000_000, 2_000_000)
    finally:
        host.stop()
    assert_balances_equal_ledger()
