"""Price protection across an engine restart: a market order sent before the reference market is
back is refused with a 503, and once it is back the price band keeps the order from filling
against another user's stale bid far below the market."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from rest_framework.test import APIClient

from paperex.apps.accounts.models import User
from paperex.apps.core.errors import render_error
from paperex.apps.marketdata.runtime import runtime
from paperex.apps.markets.services import markets_seed
from paperex.apps.trading.gateway.gateway import engine_gateway
from paperex.apps.trading.host.host import EngineHost
from paperex.apps.trading.models import Fill, Order
from paperex.apps.trading.services.orders import MarketNotReadyError, order_place
from paperex.domain import OrderType, Side, TimeInForce
from paperex.marketdata.bus import LocalBus
from tests.support.ledger import assert_balances_equal_ledger, fund_btc
from tests.support.market_events import book, trade
from tests.support.trading import place, register
from tests.support.waiting import async_wait_until

D = Decimal
TICKS_PER_USDT = 100  # BTCUSDT's tick size is 0.01


async def btc_order(user: User, side: Side, quantity: str, price: str | None = None) -> Any:
    return await order_place(
        user_id=user.pk,
        symbol="BTCUSDT",
        side=side,
        order_type=OrderType.MARKET if price is None else OrderType.LIMIT,
        time_in_force=TimeInForce.GTC,
        price=None if price is None else D(price),
        quantity=D(quantity),
    )


async def reference_market_at(bus: LocalBus, price: int, *, bid: tuple[str, str]) -> None:
    """Publish a book (``bid`` and an ask one dollar above the price) and a trade at ``price``,
    and wait until the engine has both."""
    await bus.publish(book(bids=[bid], asks=[(str(price + 1), "1")]))
    await bus.publish(trade(str(price)))

    def engine_has_them() -> bool:
        host = engine_gateway.host
        assert host is not None
        assert host.state is not None
        return host.state.engine.last_price("BTCUSDT") == price * TICKS_PER_USDT

    await async_wait_until(engine_has_them, what=f"the reference market at {price}")


@pytest.mark.django_db(transaction=True)
async def test_a_market_sell_sent_as_the_engine_restarts_never_fills_a_stale_bid_far_below(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bus = LocalBus()
    monkeypatch.setattr(runtime, "bus", bus)
    await sync_to_async(markets_seed)()
    alice = await register("alice")
    bob = await register("bob")

    await engine_gateway.start()
    try:
        await reference_market_at(bus, 1_000, bid=("999", "1"))
        stale = (await btc_order(alice, Side.BUY, "0.05", "1000")).order
        await sync_to_async(fund_btc)(bob, D(1))
    finally:
        await engine_gateway.stop()

    # While the engine is down BTC goes to 60,000; it starts again and Bob sells at market
    # before the feed has shown it the market.
    await engine_gateway.start()
    try:
        with pytest.raises(MarketNotReadyError) as refused:
            await btc_order(bob, Side.SELL, "0.05")
        rendered = render_error(refused.value)
        assert rendered is not None
        assert (rendered.status, rendered.headers(), rendered.body["code"]) == (
            503,
            {"Retry-After": "1"},
            "MARKET_NOT_READY",
        )

        await reference_market_at(bus, 60_000, bid=("59990", "0.01"))
        sold = (await btc_order(bob, Side.SELL, "0.05")).order
        # The reference bid took 0.01; the band (0.2x to 5x the reference price) stopped the
        # rest short of Alice's bid at 1,000, which is still there, unfilled.
        assert (sold.status, sold.executed_quantity, sold.cumulative_quote) == (
            "EXPIRED",
            "0.01",
            "599.9",
        )
        assert sold.status_reason == "PRICE_BAND"
        alices = await Order.objects.aget(pk=stale.id)
        assert (alices.status, alices.executed_quantity) == ("NEW", D(0))
        assert not await Fill.objects.filter(user=alice).aexists()
        await sync_to_async(assert_balances_equal_ledger)()
    finally:
        await engine_gateway.stop()


def test_orders_that_would_take_are_a_503_until_the_reference_market_is_in(
    market_data: None, make_trader: Callable[[str], tuple[User, APIClient]]
) -> None:
    host = EngineHost(reference_feed=True)  # nothing feeds it: every PAPER market waits
    host.start()
    engine_gateway.attach(host)
    try:
        _, alice = make_trader("alice")
        market = place(alice, symbol="BTCUSDT", side="BUY", type="MARKET", quote_order_qty="100")
        assert market.status_code == 503, market.json()
        assert market["Retry-After"] == "1"
        assert market.json()["code"] == "MARKET_NOT_READY"
        resting = place(alice, symbol="BTCUSDT", side="BUY", price="20000", quantity="0.01")
        assert resting.status_code == 201, resting.json()
        crossing = place(alice, symbol="BTCUSDT", side="SELL", price="20000", quantity="0.01")
        assert crossing.status_code == 503
    finally:
        engine_gateway.attach(None)
        host.stop()
