"""A live paper bot on the real engine: it buys on its strategy's entry and sells on its exit
through the order service, decides once per candle, finds its own order again after a restart
instead of placing another, sleeps while paused, and fails alone when its strategy does."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from decimal import Decimal
from types import SimpleNamespace

import msgspec
import pytest
from asgiref.sync import sync_to_async
from django.test import override_settings

from paperex.apps.accounts.models import User
from paperex.apps.marketdata.runtime import runtime
from paperex.apps.markets.models import Candle, Market
from paperex.apps.markets.services import markets_seed
from paperex.apps.research.bot_runner import BotRunner
from paperex.apps.research.bots import bot_create, bot_pause
from paperex.apps.research.models import Bot
from paperex.apps.research.selectors import bot_holdings, bot_orders, bot_reconciliation
from paperex.apps.trading.gateway.gateway import engine_gateway
from paperex.apps.trading.models import Balance
from paperex.apps.trading.services.orders import order_place
from paperex.domain import OrderType, Side, TimeInForce
from paperex.marketdata.bus import LocalBus
from paperex.marketdata.events import Kline
from tests.support.market_events import T0, book, kline, trade
from tests.support.trading import register
from tests.support.waiting import async_wait_until

MINUTE = 60_000
FALLING = ["50", "40", "30", "20"]
"""Stored closes before the bot's first candle: with fast 2 and slow 3, a close of 45 next makes
the fast average cross above the slow one (a buy); 10 after it does not cross back, 5 then does
(a sell)."""


def closed(close: str, minute: int) -> Kline:
    return msgspec.structs.replace(kline(close, open_time=T0 + minute * MINUTE), closed=True)


def store(closes: list[str], first_minute: int = 0) -> None:
    """Closed 1m candles from ``first_minute`` on, as the feed's candle writer stores them."""
    market = Market.objects.get(symbol="BTCUSDT")
    Candle.objects.bulk_create(
        Candle(
            market=market,
            interval="1m",
            open_time=candle.open_time,
            **{field: getattr(candle, field) for field in Candle.VALUE_FIELDS},
        )
        for candle in (
            closed(close, minute) for minute, close in enumerate(closes, start=first_minute)
        )
    )


@pytest.fixture
async def alice(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[User]:
    """A user, with the engine running on a reference market around 100 USDT."""
    bus = LocalBus()
    monkeypatch.setattr(runtime, "bus", bus)
    await sync_to_async(markets_seed)()
    await sync_to_async(store)(FALLING)
    user = await register("alice")
    await engine_gateway.start()
    try:
        await bus.publish(book(bids=[("99.99", "10")], asks=[("100.01", "10")]))
        await bus.publish(trade("100"))

        def ready() -> bool:
            host = engine_gateway.host
            return (
                host is not None
                and host.state is not None
                and (host.state.engine.last_price("BTCUSDT") == 10_000)
            )

        await async_wait_until(ready, what="the reference market")
        yield user
    finally:
        await engine_gateway.stop()


async def sma_bot(user: User, **parameters: int) -> Bot:
    return await sync_to_async(bot_create)(
        user_id=user.pk,
        symbol="BTCUSDT",
        interval="1m",
        strategy="sma_cross",
        parameters=parameters or {"fast": 2, "slow": 3},
        allocation=Decimal(50),
    )


async def state(bot: Bot) -> Bot:
    return await sync_to_async(Bot.objects.select_related("market").get)(pk=bot.pk)


def orders_of(bot: Bot) -> list[tuple[str, str, str]]:
    return [(o.client_order_id, o.side, o.status) for o in bot_orders(bot)]


def holdings_after(bot: Bot) -> Decimal:
    """The quote the bot has put in, less the dust it holds (worth nothing here)."""
    return bot_holdings(bot).quote_spent


def btc_of(user: User) -> Decimal:
    balance = Balance.objects.filter(user=user, asset__code="BTC").first()
    return Decimal(0) if balance is None else balance.free + balance.locked


@pytest.mark.django_db(transaction=True)
async def test_a_bot_buys_and_sells_once_per_candle_and_never_twice_after_a_restart(
    alice: User,
) -> None:
    bot = await sma_bot(alice)
    runner = BotRunner()
    buy_candle = closed("45", len(FALLING))
    await runner.candle_closed(buy_candle)

    bought = await state(bot)
    buy_id = f"bot{bot.pk}-{buy_candle.open_time}"
    assert await sync_to_async(orders_of)(bought) == [(buy_id, "BUY", "FILLED")]
    holdings = await sync_to_async(bot_holdings)(bought)
    assert Decimal("49.9") < holdings.quote_spent <= Decimal(50)  # its allocation, at ~100
    assert bought.position == holdings.base == await sync_to_async(btc_of)(alice)
    assert bought.position > Decimal("0.49")
    assert (bought.last_candle, bought.orders_placed, bought.note) == (buy_candle.open_time, 1, "")

    await runner.candle_closed(buy_candle)  # the same candle again: decided already
    # A restart after the order but before the bot's state was saved: it decides again on the
    # candle, and the order service finds the order it placed the first time.
    await sync_to_async(Bot.objects.filter(pk=bot.pk).update)(last_candle=None, position=0)
    await runner.candle_closed(buy_candle)
    again = await state(bot)
    assert await sync_to_async(orders_of)(again) == [(buy_id, "BUY", "FILLED")]
    assert again.position == bought.position

    await sync_to_async(store)(["45"], len(FALLING))  # stored by now, as the feed does
    await runner.candle_closed(closed("10", len(FALLING) + 1))  # holds on
    held = await state(bot)
    assert (held.orders_placed, held.position) == (1, bought.position)
    await sync_to_async(store)(["10"], len(FALLING) + 1)
    sell_candle = closed("5", len(FALLING) + 2)
    await runner.candle_closed(sell_candle)
    sold = await state(bot)
    assert await sync_to_async(orders_of)(sold) == [
        (buy_id, "BUY", "FILLED"),
        (f"bot{bot.pk}-{sell_candle.open_time}", "SELL", "FILLED"),
    ]
    step = sold.market.step_size
    assert 0 <= sold.position < step  # what fees left below one step
    assert sold.position == await sync_to_async(btc_of)(alice)

    # Its backtest on the candles it saw made the same trade, at the candles' closes (45, 5),
    # where the bot met the reference book at about 100.
    await sync_to_async(store)(["5"], len(FALLING) + 2)
    compared = await sync_to_async(bot_reconciliation)(user_id=alice.pk, bot_id=bot.pk)
    assert (compared.start, compared.end) == (T0, sell_candle.open_time)
    (row,) = compared.trades
    assert row["entry_time"] == buy_candle.open_time
    assert row["backtest"]["exit_time"] == row["live"]["exit_time"] == sell_candle.open_time
    assert (row["backtest"]["entry_price"], row["backtest"]["exit_price"]) == (45.0, 5.0)
    live_entry, live_exit = row["live"]["entry_price"], row["live"]["exit_price"]
    assert 99.99 <= live_exit <= live_entry <= 100.01
    assert row["entry_price_difference"] == live_entry - 45.0
    assert row["pnl_difference"] == row["live_pnl"] - row["backtest_pnl"]
    spent = await sync_to_async(holdings_after)(sold)
    assert row["live_pnl"] == pytest.approx(float(-spent), abs=1e-9)


@pytest.mark.django_db(transaction=True)
async def test_a_paused_bot_sleeps_and_a_failing_strategy_fails_only_its_bot(
    alice: User,
) -> None:
    paused, broken, healthy = await sma_bot(alice), await sma_bot(alice), await sma_bot(alice)
    await sync_to_async(bot_pause)(user_id=alice.pk, bot_id=paused.pk)
    await sync_to_async(Bot.objects.filter(pk=broken.pk).update)(parameters={"fast": 0})
    await BotRunner().candle_closed(closed("45", len(FALLING)))

    assert (await state(paused)).last_candle is None
    assert await sync_to_async(orders_of)(paused) == []
    failed = await state(broken)
    assert failed.status == "failed"
    assert failed.note.startswith("StrategyError: sma_cross")
    assert (await state(healthy)).orders_placed == 1


@pytest.mark.django_db(transaction=True)
async def test_an_order_the_exchange_refuses_is_the_bots_note_and_it_goes_on(
    alice: User,
) -> None:
    bot = await sma_bot(alice)
    await sync_to_async(Bot.objects.filter(pk=bot.pk).update)(allocation=Decimal(10_000_000))
    candle = closed("45", len(FALLING))
    await BotRunner().candle_closed(candle)
    refused = await state(bot)
    assert refused.status == "running"
    assert refused.note.startswith(f"no order on the candle of {candle.open_time}: ")
    assert "balance" in refused.note.lower()
    assert (refused.last_candle, refused.position) == (candle.open_time, 0)


@pytest.mark.parametrize(
    ("feeds_here", "run_bots", "lead", "runs"),
    [
        (True, True, None, True),  # embedded: the server runs the feeds and the bots
        (True, False, None, False),  # production: `paperex feed` leaves them to `paperex bots`
        (False, False, True, True),  # `paperex bots`, leading
        (False, False, False, False),  # `paperex bots`, standing by
        (False, True, None, False),  # a web process following the market data over Redis
    ],
)
async def test_bots_decide_in_one_process_only(
    monkeypatch: pytest.MonkeyPatch, feeds_here: bool, run_bots: bool, lead: bool | None, runs: bool
) -> None:
    runner = BotRunner()
    if lead is not None:
        runner.lease = SimpleNamespace(role="bots", valid=lambda: lead)
    monkeypatch.setattr(runtime, "pipeline", object() if feeds_here else None)
    decided: list[Kline] = []

    async def candle_closed(candle: Kline) -> None:
        decided.append(candle)

    monkeypatch.setattr(runner, "candle_closed", candle_closed)
    with override_settings(PAPEREX_RUN_BOTS=run_bots):
        runner.on_event(closed("45", 0))
        runner.on_event(kline("45"))  # still open: no decision
        runner.on_event(msgspec.structs.replace(closed("45", 0), interval="1s"))
        await asyncio.sleep(0)
    assert decided == ([closed("45", 0)] if runs else [])


@pytest.mark.django_db(transaction=True)
async def test_a_persons_order_named_like_a_bots_is_not_the_bots(alice: User) -> None:
    bot = await sma_bot(alice)
    await order_place(
        user_id=alice.pk,
        symbol="BTCUSDT",
        side=Side.BUY,
        order_type=OrderType.MARKET,
        time_in_force=TimeInForce.GTC,
        quote_amount=Decimal(20),
        client_order_id=f"bot{bot.pk}-mine",
    )
    assert await sync_to_async(orders_of)(bot) == []
    assert (await sync_to_async(bot_holdings)(await state(bot))).base == 0
    assert await sync_to_async(btc_of)(alice) > 0
