"""The user data stream of ``/ws-api/v3``: subscriptions (by signature with any key, or after an
Ed25519 logon), every subscribed connection of the user getting each event, and the engine's
order and balance changes as Binance's ``executionReport`` and ``outboundAccountPosition``,
key by key, a taker's fills one by one with their cumulative quantities."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.db.models import Q

from paperex.apps.binance.ws_api.user_events import execution_reports
from paperex.apps.core.amounts import epoch_ms
from paperex.apps.trading.gateway.gateway import engine_gateway
from paperex.apps.trading.host.host import EngineHost
from paperex.apps.trading.models import Balance, Fill, LedgerEntry, Order
from paperex.apps.trading.services.funding import funds_reset
from paperex.domain.commands import Deposit
from paperex.support.clock import wall_clock_ms
from tests.apps.binance.ws_api_client import Key, WsApi, ed25519_key, hmac_key
from tests.support.trading import register

pytestmark = pytest.mark.django_db(transaction=True)
D = Decimal


def limit(side: str, quantity: str, price: str, **extra: Any) -> dict[str, Any]:
    return {
        "symbol": "BTCUSDT",
        "side": side,
        "type": "LIMIT",
        "timeInForce": "GTC",
        "quantity": quantity,
        "price": price,
        **extra,
    }


@pytest.fixture
async def alice(host: EngineHost) -> Key:
    return await hmac_key(await register("alice"))


@pytest.fixture
async def bob(host: EngineHost) -> Key:
    """Bob, holding 1 BTC, with two resting sells: 0.01 at 30000 and 0.02 at 30100."""
    bob = await hmac_key(await register("bob"))
    await engine_gateway.execute(
        Deposit(timestamp=1, user_id=bob.user.pk, asset="BTC", amount=100_000_000)
    )
    api = await WsApi.open()
    for quantity, price in (("0.01", "30000"), ("0.02", "30100")):
        await api.result("order.place", bob.signed(limit("SELL", quantity, price)))
    await api.close()
    return bob


async def subscribed(key: Key, **extra: Any) -> WsApi:
    api = await WsApi.open()
    result = await api.result("userDataStream.subscribe.signature", key.signed({}, **extra))
    assert result == {"subscriptionId": 0}
    return api


async def test_a_taker_fills_one_by_one_on_every_subscribed_connection(
    alice: Key, bob: Key
) -> None:
    first = await subscribed(alice)
    second = await subscribed(alice, recvWindow=10000)  # as ccxt.pro sends it
    placed = await first.result("order.place", alice.signed(limit("BUY", "0.03", "30100")))
    order = await Order.objects.aget(pk=placed["orderId"])
    fills = [fill async for fill in Fill.objects.filter(order=order).order_by("trade_id")]
    assert [(fill.price, fill.quantity) for fill in fills] == [
        (D(30000), D("0.01")),
        (D(30100), D("0.02")),
    ]
    created = epoch_ms(order.created_at)
    same_for_all = {
        "e": "executionReport",
        "s": "BTCUSDT",
        "c": order.client_order_id,
        "S": "BUY",
        "o": "LIMIT",
        "f": "GTC",
        "q": "0.03000000",
        "p": "30100.00000000",
        "P": "0.00000000",
        "F": "0.00000000",
        "g": -1,
        "C": "",
        "r": "NONE",
        "i": order.id,
        "M": False,
        "O": created,
        "Q": "0.00000000",
        "V": order.self_trade_prevention,
    }
    expected = [
        {
            **same_for_all,
            "x": "NEW",
            "X": "NEW",
            "l": "0.00000000",
            "z": "0.00000000",
            "L": "0.00000000",
            "n": "0",
            "N": None,
            "T": epoch_ms(order.updated_at),
            "t": -1,
            "I": order.id,
            "w": True,
            "m": False,
            "Z": "0.00000000",
            "Y": "0.00000000",
            "W": created,
        },
        *(
            {
                **same_for_all,
                "x": "TRADE",
                "X": status,
                "l": f"{fill.quantity:.8f}",
                "z": cumulative,
                "L": f"{fill.price:.8f}",
                "n": f"{fill.fee:.8f}",
                "N": "BTC",
                "T": epoch_ms(fill.executed_at),
                "t": fill.trade_id,
                "I": fill.trade_id,
                "w": working,
                "m": False,
                "Z": quote,
                "Y": f"{fill.quote_quantity:.8f}",
                "W": created if working else -1,
            }
            for fill, status, cumulative, quote, working in zip(
                fills,
                ("PARTIALLY_FILLED", "FILLED"),
                ("0.01000000", "0.03000000"),
                ("300.00000000", "902.00000000"),
                (True, False),
                strict=True,
            )
        ),
    ]
    assert fills[0].fee > 0
    for api in (first, second):
        frames = await api.events_until(4)
        assert [frame["subscriptionId"] for frame in frames] == [0, 0, 0, 0]
        reports = [frame["event"] for frame in frames[:3]]
        for report, wanted in zip(reports, expected, strict=True):
            assert abs(report.pop("E") - wall_clock_ms()) < 10_000
            assert report == wanted
        position = frames[3]["event"]
        assert (position["e"], position["u"]) == ("outboundAccountPosition", position["E"])
        held = {
            balance.asset.code: balance
            async for balance in Balance.objects.filter(user=alice.user).select_related("asset")
        }
        assert sorted(position["B"], key=lambda entry: entry["a"]) == [
            {"a": code, "f": f"{held[code].free:.8f}", "l": f"{held[code].locked:.8f}"}
            for code in ("BTC", "USDT")
        ]
        await api.close()


async def test_an_ioc_remainder_expires_after_its_fill_and_a_cancel_is_told(
    alice: Key, bob: Key
) -> None:
    api = await subscribed(alice)
    ioc = limit("BUY", "0.05", "30000", timeInForce="IOC", newClientOrderId="ioc-1")
    placed = await api.result("order.place", alice.signed(ioc))
    assert placed["status"] == "EXPIRED"
    frames = await api.events_until(4)
    reports = [frame["event"] for frame in frames[:3]]
    assert [(r["x"], r["X"], r["l"], r["z"], r["Z"]) for r in reports] == [
        ("NEW", "NEW", "0.00000000", "0.00000000", "0.00000000"),
        ("TRADE", "PARTIALLY_FILLED", "0.01000000", "0.01000000", "300.00000000"),
        ("EXPIRED", "EXPIRED", "0.00000000", "0.01000000", "300.00000000"),
    ]
    assert [r["w"] for r in reports] == [True, True, False]
    assert frames[3]["event"]["e"] == "outboundAccountPosition"

    resting = await api.result("order.place", alice.signed(limit("BUY", "0.01", "20000")))
    await api.events_until(2)
    await api.result(
        "order.cancel", alice.signed({"symbol": "BTCUSDT", "orderId": resting["orderId"]})
    )
    canceled = (await api.next_event())["event"]
    assert (canceled["x"], canceled["X"], canceled["i"], canceled["C"]) == (
        "CANCELED",
        "CANCELED",
        resting["orderId"],
        resting["clientOrderId"],
    )
    assert (await api.next_event())["event"]["B"][0]["a"] == "USDT"
    await api.close()


async def test_unsubscribing_ends_the_stream_and_only_that_one(alice: Key) -> None:
    leaving, staying = await subscribed(alice), await subscribed(alice)
    assert await leaving.result("session.subscriptions") == [{"subscriptionId": 0}]
    assert (await leaving.result("session.status"))["userDataStream"] is True
    assert await leaving.result("userDataStream.unsubscribe", {"subscriptionId": 0}) == {}
    terminated = leaving.events.pop()
    assert leaving.events == []
    assert terminated["subscriptionId"] == 0
    assert terminated["event"]["e"] == "eventStreamTerminated"
    assert await leaving.result("session.subscriptions") == []
    assert (await leaving.result("session.status"))["userDataStream"] is False

    await staying.result("order.place", alice.signed(limit("BUY", "0.01", "20000")))
    assert (await staying.next_event())["event"]["x"] == "NEW"
    assert (await staying.next_event())["event"]["e"] == "outboundAccountPosition"
    assert (await leaving.call("ping"))["result"] == {}  # no event came before it
    assert leaving.events == []
    assert await staying.result("userDataStream.unsubscribe") == {}  # all of them
    assert (await staying.next_event())["event"]["e"] == "eventStreamTerminated"
    for api in (leaving, staying):
        await api.close()


async def test_a_logged_on_session_subscribes_and_logging_out_ends_that_subscription(
    alice: Key, host: EngineHost
) -> None:
    api = await WsApi.open()
    refused = await api.call("userDataStream.subscribe")
    assert (refused["status"], refused["error"]["code"]) == (401, -1002)
    ed = await ed25519_key(alice.user)
    await api.result("session.logon", ed.signed({}))
    assert await api.result("userDataStream.subscribe") == {"subscriptionId": 0}
    again = await api.call("userDataStream.subscribe.signature", alice.signed({}))
    assert again["error"] == {"code": -2035, "msg": "User Data Stream subscription already active."}
    carol = await hmac_key(await register("carol"))
    assert await api.result("userDataStream.subscribe.signature", carol.signed({})) == {
        "subscriptionId": 1
    }
    assert (await api.result("session.status"))["userDataStream"] is True

    await api.result("order.place", {**limit("BUY", "0.01", "20000"), "timestamp": wall_clock_ms()})
    report = await api.next_event()
    assert (report["subscriptionId"], report["event"]["x"]) == (0, "NEW")
    await api.next_event()
    status = await api.result("session.logout")
    assert (status["apiKey"], status["userDataStream"]) == (None, True)
    terminated = api.events.pop()
    assert api.events == []
    assert (terminated["subscriptionId"], terminated["event"]["e"]) == (0, "eventStreamTerminated")
    assert await api.result("session.subscriptions") == [{"subscriptionId": 1}]
    await api.close()


def test_an_order_update_without_news_of_its_own_is_a_new_report() -> None:
    """A stop order that triggered (or an amended one) changes without a fill or an end."""
    order = {
        "id": 9,
        "symbol": "BTCUSDT",
        "client_order_id": "stop-1",
        "side": "SELL",
        "type": "STOP_LOSS_LIMIT",
        "time_in_force": "GTC",
        "price": "29000",
        "stop_price": "29500",
        "quantity": "0.1",
        "quote_order_qty": None,
        "executed_quantity": "0",
        "cumulative_quote": "0",
        "status": "NEW",
        "status_reason": "",
        "self_trade_prevention": "NONE",
        "created_at": "2026-01-02T03:04:05.678000Z",
        "updated_at": "2026-01-02T03:04:06.000000Z",
    }
    [report] = execution_reports({"order": order, "created": False, "executions": []}, 5)
    assert (report["x"], report["X"], report["P"], report["T"], report["E"]) == (
        "NEW",
        "NEW",
        "29500.00000000",
        1767323046000,
        5,
    )
    assert (report["w"], report["W"]) == (False, -1)
    expired = {**order, "status": "EXPIRED", "status_reason": "SELF_TRADE_PREVENTION"}
    [ended] = execution_reports({"order": expired, "executions": []}, 5)
    assert (ended["x"], ended["X"]) == ("EXPIRED", "EXPIRED_IN_MATCH")


async def test_an_account_reset_is_told_as_balance_updates_then_the_position(alice: Key) -> None:
    api = await subscribed(alice)
    resting = await api.result("order.place", alice.signed(limit("BUY", "0.01", "20000")))
    await api.events_until(2)
    await sync_to_async(funds_reset)(user_id=alice.user.pk)
    frames = []
    while not frames or frames[-1]["event"]["e"] != "outboundAccountPosition":
        frames.append(await api.next_event())
    events = [frame["event"] for frame in frames]
    assert (events[0]["e"], events[0]["x"], events[0]["i"]) == (
        "executionReport",
        "CANCELED",
        resting["orderId"],
    )
    updates = [event for event in events if event["e"] == "balanceUpdate"]
    assert [(event["a"], event["d"]) for event in updates if event["a"] == "USDT"] == [
        ("USDT", "-100000.00000000"),
        ("USDT", "100000.00000000"),
    ]
    entries = [
        entry
        async for entry in LedgerEntry.objects.filter(reason__in=("DEPOSIT", "WITHDRAWAL"))
        .filter(Q(to_user=alice.user) | Q(from_user=alice.user))
        .select_related("asset")
        .order_by("id")
    ]
    assert [(event["a"], D(event["d"]).copy_abs(), event["T"]) for event in updates] == [
        (entry.asset.code, entry.amount, epoch_ms(entry.recorded_at))
        for entry in entries[-len(updates) :]
    ]
    usdt = next(entry for entry in events[-1]["B"] if entry["a"] == "USDT")
    assert (usdt["f"], usdt["l"]) == ("100000.00000000", "0.00000000")
    await api.close()
