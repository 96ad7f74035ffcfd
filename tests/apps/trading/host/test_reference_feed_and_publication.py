"""The host inside an event loop: paper fills from a market-data bus, messages after commit."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer

from paperex.apps.accounts.models import User
from paperex.apps.markets.services import markets_seed
from paperex.apps.trading.catalog import catalog_read
from paperex.apps.trading.host.host import EngineHost
from paperex.apps.trading.host.publication import ReferenceFeed
from paperex.apps.trading.models import Order
from paperex.apps.trading.services.orders import order_place
from paperex.domain import OrderType, Side, TimeInForce
from paperex.domain.commands import EngineCommand, RecordReferenceTrade, UpdateReferenceBook
from paperex.marketdata.bus import LocalBus
from tests.support.market_events import book, trade
from tests.support.trading import register
from tests.support.waiting import async_wait_until

pytestmark = pytest.mark.django_db(transaction=True)
D = Decimal


async def limit(user: User, side: Side, price: str, quantity: str, **extra: Any) -> Any:
    return await order_place(
        user_id=user.pk,
        symbol="BTCUSDT",
        side=side,
        order_type=extra.pop("order_type", OrderType.LIMIT),
        time_in_force=TimeInForce.GTC,
        price=None if price == "" else D(price),
        quantity=D(quantity),
        **extra,
    )


async def test_paper_orders_fill_against_the_reference_book_and_trades(host: EngineHost) -> None:
    alice = await register("alice")
    bus = LocalBus()
    assert host.catalog is not None
    feed = ReferenceFeed(host.submit_untracked)
    feed.subscribe(bus)
    feed.follow(host.catalog)
    try:
        await bus.publish(
            book(1, bids=[("29990", "1")], asks=[("30010", "0.3"), ("30020", "1")], time_ms=1)
        )

        async def reference_loaded() -> bool:
            assert host.state is not None
            return bool(host.state.engine.reference_depth("BTCUSDT")[1])

        await async_wait_until(reference_loaded, what="the reference book", interval=0.01)
        market = await limit(alice, Side.BUY, "", "0.5", order_type=OrderType.MARKET)
        assert (market.order.status, market.order.cumulative_quote) == (
            "FILLED",
            "15007",  # 0.3 x 30010 + 0.2 x 30020: walked two reference levels
        )
        bid = await limit(alice, Side.BUY, "29000", "0.1")
        assert bid.order.status == "NEW"
        await bus.publish(trade("28990", time_ms=2, trade_id=9, aggressor=Side.SELL))

        async def bid_filled() -> bool:
            order = await Order.objects.aget(pk=bid.order.id)
            return order.status == "FILLED"

        await async_wait_until(bid_filled, what="the bid filled", interval=0.01)
        fills = [fill async for fill in alice.fills.all()]
        assert len(fills) == 3
        assert all(fill.is_reference for fill in fills)
    finally:
        await feed.stop()


async def test_the_reference_feed_keeps_what_the_bus_publishes_before_it_follows() -> None:
    # The gateway subscribes before the host restores, and follows once it runs.
    await sync_to_async(markets_seed)()
    bus = LocalBus()
    submitted: list[EngineCommand] = []
    feed = ReferenceFeed(submitted.append)
    feed.subscribe(bus)
    await bus.publish(book(1, bids=[("29990", "1")], asks=[("30010", "1")]))
    await bus.publish(trade("30000", symbol="DOGEUSDT"))  # no market of ours
    await bus.publish(trade("30000"))
    feed.follow(await sync_to_async(catalog_read)())
    try:
        await async_wait_until(lambda: len(submitted) == 2, what="the kept events")
        snapshot, last_trade = submitted
        assert isinstance(snapshot, UpdateReferenceBook)
        assert snapshot.is_snapshot
        assert isinstance(last_trade, RecordReferenceTrade)
        assert last_trade.price == 3_000_000
    finally:
        await feed.stop()


async def test_messages_are_published_after_commit_with_sequences(host: EngineHost) -> None:
    alice = await register("alice")
    bob = await register("bob")
    layer = get_channel_layer()
    channel = await layer.new_channel()
    groups = (f"user.{alice.pk}", "market.BTCUSDT.trades", "market.BTCUSDT.book")
    for group in groups:
        await layer.group_add(group, channel)
    await limit(bob, Side.BUY, "30000", "0.2")
    await limit(alice, Side.BUY, "29000", "0.1")
    # Bob's order: a book update; Alice's: her order, her balances and a book update.
    received = [await asyncio.wait_for(layer.receive(channel), 5) for _ in range(4)]
    by_type: dict[str, list[dict[str, Any]]] = {}
    for message in received:
        by_type.setdefault(message["type"], []).append(message)
    [order_update] = by_type["order.update"]
    assert (order_update["order"]["status"], order_update["order"]["price"]) == ("NEW", "29000")
    assert await Order.objects.filter(pk=order_update["order"]["id"]).aexists()  # committed
    books = by_type["market.book"]
    assert [book["sequence"] for book in books] == [1, 2]
    assert [book["bids"] for book in books] == [[["30000", "0.2"]], [["29000", "0.1"]]]
    [balance] = by_type["balance.update"]
    assert {"asset": "USDT", "free": "97100", "locked": "2900"} in balance["balances"]
    for group in groups:
        await layer.group_discard(group, channel)
