"""The signed trading endpoints of ``/api/v3`` answer in Binance's shapes with what Paperex's
order service stored: new orders (ACK, RESULT, FULL), queries, cancels, open and all orders,
trades, the account and its fee rates."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from rest_framework.test import APIClient

from paperex.apps.accounts.models import User
from paperex.apps.binance.trading_reads import order_fills
from paperex.apps.core.amounts import epoch_ms
from paperex.apps.markets.models import Asset
from paperex.apps.trading.models import Balance, Fill, Order
from paperex.support.rate_window import Rate
from tests.apps.binance.signing import LIMIT_BUY, SignedClient
from tests.support.ledger import assert_balances_equal_ledger, fund_btc

Trader = Callable[[str], tuple[User, APIClient]]
pytestmark = pytest.mark.usefixtures("engine_host")
D = Decimal

ACK_FIELDS = {"symbol", "orderId", "orderListId", "clientOrderId", "transactTime"}
RESULT_FIELDS = ACK_FIELDS | {
    "price",
    "origQty",
    "executedQty",
    "origQuoteOrderQty",
    "cummulativeQuoteQty",
    "status",
    "timeInForce",
    "type",
    "side",
    "workingTime",
    "selfTradePreventionMode",
}
QUERY_FIELDS = {
    "symbol",
    "orderId",
    "orderListId",
    "clientOrderId",
    "price",
    "origQty",
    "executedQty",
    "cummulativeQuoteQty",
    "status",
    "timeInForce",
    "type",
    "side",
    "stopPrice",
    "icebergQty",
    "time",
    "updateTime",
    "isWorking",
    "workingTime",
    "origQuoteOrderQty",
    "selfTradePreventionMode",
}
CANCEL_FIELDS = (RESULT_FIELDS - {"workingTime"}) | {"origClientOrderId"}


@pytest.fixture
def alice(make_trader: Trader) -> SignedClient:
    user, _ = make_trader("alice")
    return SignedClient.of(user)


@pytest.fixture
def bob(make_trader: Trader) -> SignedClient:
    user, _ = make_trader("bob")
    return SignedClient.of(user)


def held(user: User, asset: str) -> tuple[Decimal, Decimal]:
    balance = Balance.objects.get(user=user, asset__code=asset)
    return balance.free, balance.locked


def test_a_limit_order_answers_full_by_default_with_the_stored_order(alice: SignedClient) -> None:
    response = alice.post("order", {**LIMIT_BUY, "newClientOrderId": "x-TKT5PX2F-first_1"})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert set(body) == RESULT_FIELDS | {"fills"}
    stored = Order.objects.get(user=alice.user)
    assert body == {
        "symbol": "BTCUSDT",
        "orderId": stored.id,
        "orderListId": -1,
        "clientOrderId": "x-TKT5PX2F-first_1",
        "transactTime": epoch_ms(stored.created_at),
        "price": "20000.00000000",
        "origQty": "0.50000000",
        "executedQty": "0.00000000",
        "origQuoteOrderQty": "0.00000000",
        "cummulativeQuoteQty": "0.00000000",
        "status": "NEW",
        "timeInForce": "GTC",
        "type": "LIMIT",
        "side": "BUY",
        "workingTime": epoch_ms(stored.created_at),
        "selfTradePreventionMode": stored.self_trade_prevention,
        "fills": [],
    }
    assert (stored.price, stored.quantity, stored.client_order_id) == (
        D(20000),
        D("0.5"),
        "x-TKT5PX2F-first_1",
    )
    assert held(alice.user, "USDT") == (D(90000), D(10000))
    assert response["X-MBX-ORDER-COUNT-10S"] == "1"
    assert response["X-MBX-ORDER-COUNT-1D"] == "1"
    assert int(response["X-MBX-USED-WEIGHT-1M"]) >= 1
    again = alice.post("order", LIMIT_BUY)
    assert again["X-MBX-ORDER-COUNT-10S"] == "2"


@pytest.mark.parametrize(
    ("extra", "fields"),
    [
        ({"newOrderRespType": "ACK"}, ACK_FIELDS),
        ({"newOrderRespType": "RESULT"}, RESULT_FIELDS),
        ({"newOrderRespType": "FULL"}, RESULT_FIELDS | {"fills"}),
        (
            {"type": "STOP_LOSS_LIMIT", "stopPrice": "21000", "price": "21000"},
            ACK_FIELDS,
        ),
        (
            {"type": "STOP_LOSS_LIMIT", "stopPrice": "21000", "newOrderRespType": "RESULT"},
            RESULT_FIELDS | {"stopPrice"},
        ),
    ],
    ids=["ack", "result", "full", "stop-limit-defaults-to-ack", "stop-limit-result"],
)
def test_response_types(alice: SignedClient, extra: dict[str, str], fields: set[str]) -> None:
    response = alice.post("order", {**LIMIT_BUY, **extra})
    assert response.status_code == 200, response.json()
    assert set(response.json()) == fields
    assert Order.objects.filter(user=alice.user).count() == 1


def test_a_market_buy_answers_its_fills_and_moves_balances_by_them(
    alice: SignedClient, bob: SignedClient
) -> None:
    fund_btc(alice.user, D(2))
    ask = alice.post(
        "order", {**LIMIT_BUY, "side": "SELL", "price": "30000", "quantity": "1"}
    ).json()
    usdt_before = held(bob.user, "USDT")
    response = bob.post(
        "order", {"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quoteOrderQty": "15000"}
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    fill = Fill.objects.get(user=bob.user)
    assert body["fills"] == [
        {
            "price": "30000.00000000",
            "qty": "0.50000000",
            "commission": "0.00050000",
            "commissionAsset": "BTC",
            "tradeId": fill.trade_id,
        }
    ]
    assert (body["status"], body["executedQty"], body["cummulativeQuoteQty"]) == (
        "FILLED",
        "0.50000000",
        "15000.00000000",
    )
    assert body["origQuoteOrderQty"] == "15000.00000000"
    assert held(bob.user, "USDT") == (usdt_before[0] - 15000, D(0))
    assert held(bob.user, "BTC") == (D("0.4995"), D(0))
    maker = alice.get("order", {"symbol": "BTCUSDT", "orderId": ask["orderId"]}).json()
    assert (maker["status"], maker["executedQty"]) == ("PARTIALLY_FILLED", "0.50000000")
    assert_balances_equal_ledger()


def test_fills_are_read_only_for_an_order_that_executed_something(
    alice: SignedClient, bob: SignedClient, django_assert_num_queries: Any
) -> None:
    fund_btc(alice.user, D(2))
    ask = alice.post(
        "order", {**LIMIT_BUY, "side": "SELL", "price": "30000", "quantity": "1"}
    ).json()
    assert ask["fills"] == []
    resting = Order.objects.get(pk=ask["orderId"])
    with django_assert_num_queries(0):
        assert list(order_fills(resting)) == []
    bob.post(
        "order", {"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quoteOrderQty": "15000"}
    )
    resting.refresh_from_db()
    assert [fill.quantity for fill in order_fills(resting)] == [D("0.5")]


def test_an_order_is_found_by_id_or_client_id_in_the_query_shape(alice: SignedClient) -> None:
    placed = alice.post("order", {**LIMIT_BUY, "newClientOrderId": "mine-1"}).json()
    by_id = alice.get("order", {"symbol": "BTCUSDT", "orderId": placed["orderId"]})
    by_client_id = alice.get("order", {"symbol": "BTCUSDT", "origClientOrderId": "mine-1"})
    assert by_id.status_code == by_client_id.status_code == 200
    assert by_id.json() == by_client_id.json()
    body = by_id.json()
    assert set(body) == QUERY_FIELDS
    assert (body["orderId"], body["clientOrderId"], body["status"], body["isWorking"]) == (
        placed["orderId"],
        "mine-1",
        "NEW",
        True,
    )
    assert (body["time"], body["stopPrice"], body["icebergQty"]) == (
        placed["transactTime"],
        "0.00000000",
        "0.00000000",
    )
    assert by_id["X-MBX-USED-WEIGHT-1M"]
    assert "X-MBX-ORDER-COUNT-10S" not in by_id


def test_an_order_id_and_a_client_order_id_must_name_the_same_order(alice: SignedClient) -> None:
    first = alice.post("order", {**LIMIT_BUY, "newClientOrderId": "mine-1"}).json()
    second = alice.post("order", {**LIMIT_BUY, "newClientOrderId": "mine-2"}).json()
    both = {"symbol": "BTCUSDT", "orderId": first["orderId"], "origClientOrderId": "mine-1"}
    agreeing = alice.get("order", both)
    assert (agreeing.status_code, agreeing.json()["clientOrderId"]) == (200, "mine-1")
    assert agreeing.json()["orderId"] == first["orderId"]
    for client_order_id in ("mine-2", "nobody-s"):
        mismatched = alice.get("order", {**both, "origClientOrderId": client_order_id})
        assert (mismatched.status_code, mismatched.json()) == (
            400,
            {"code": -2039, "msg": "Client order ID is not correct for this order ID."},
        )
    unknown_id = alice.get("order", {**both, "orderId": second["orderId"] + 1000})
    assert (unknown_id.status_code, unknown_id.json()["code"]) == (400, -2013)


@pytest.mark.parametrize("in_body", [False, True], ids=["query", "body"])
def test_cancel_takes_its_parameters_in_the_query_or_the_body(
    alice: SignedClient, in_body: bool
) -> None:
    placed = alice.post("order", LIMIT_BUY).json()
    response = alice.delete(
        "order",
        {"symbol": "BTCUSDT", "orderId": placed["orderId"], "newClientOrderId": "cancel-1"},
        in_body=in_body,
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert set(body) == CANCEL_FIELDS
    assert (body["status"], body["origClientOrderId"], body["clientOrderId"]) == (
        "CANCELED",
        placed["clientOrderId"],
        "cancel-1",
    )
    assert Order.objects.get(pk=placed["orderId"]).status == "CANCELED"
    assert held(alice.user, "USDT") == (D(100000), D(0))
    again = alice.delete("order", {"symbol": "BTCUSDT", "orderId": placed["orderId"]})
    assert (again.status_code, again.json()) == (
        400,
        {"code": -2011, "msg": "Unknown order sent."},
    )


def test_open_orders_listed_and_canceled_together(alice: SignedClient) -> None:
    first = alice.post("order", LIMIT_BUY).json()
    second = alice.post("order", {**LIMIT_BUY, "price": "19000"}).json()
    listed = alice.get("openOrders", {"symbol": "BTCUSDT"})
    assert [order["orderId"] for order in listed.json()] == [first["orderId"], second["orderId"]]
    assert all(set(order) == QUERY_FIELDS for order in listed.json())
    assert len(alice.get("openOrders").json()) == 2
    canceled = alice.delete("openOrders", {"symbol": "BTCUSDT"})
    assert canceled.status_code == 200, canceled.json()
    assert sorted(order["orderId"] for order in canceled.json()) == sorted(
        [first["orderId"], second["orderId"]]
    )
    assert all(order["status"] == "CANCELED" for order in canceled.json())
    assert all(set(order) == CANCEL_FIELDS for order in canceled.json())
    assert alice.get("openOrders", {"symbol": "BTCUSDT"}).json() == []
    nothing = alice.delete("openOrders", {"symbol": "BTCUSDT"})
    assert nothing.json() == {"code": -2011, "msg": "Unknown order sent."}


def test_all_orders_and_my_trades(alice: SignedClient, bob: SignedClient) -> None:
    fund_btc(alice.user, D(1))
    ask = alice.post(
        "order", {**LIMIT_BUY, "side": "SELL", "price": "30000", "quantity": "0.2"}
    ).json()
    taker = bob.post(
        "order", {"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.1"}
    ).json()
    bob.post("order", LIMIT_BUY)
    orders = bob.get("allOrders", {"symbol": "BTCUSDT"}).json()
    assert [order["status"] for order in orders] == ["FILLED", "NEW"]
    assert orders[0]["orderId"] == taker["orderId"]
    assert bob.get("allOrders", {"symbol": "BTCUSDT", "limit": 1}).json() == orders[1:]
    assert (
        bob.get("allOrders", {"symbol": "BTCUSDT", "orderId": orders[1]["orderId"]}).json()
        == (orders[1:])
    )
    trades = bob.get("myTrades", {"symbol": "BTCUSDT"})
    assert trades.status_code == 200, trades.json()
    fill = Fill.objects.get(user=bob.user)
    assert trades.json() == [
        {
            "symbol": "BTCUSDT",
            "id": fill.trade_id,
            "orderId": taker["orderId"],
            "orderListId": -1,
            "price": "30000.00000000",
            "qty": "0.10000000",
            "quoteQty": "3000.00000000",
            "commission": "0.00010000",
            "commissionAsset": "BTC",
            "time": epoch_ms(fill.executed_at),
            "isBuyer": True,
            "isMaker": False,
            "isBestMatch": True,
        }
    ]
    maker_trades = alice.get("myTrades", {"symbol": "BTCUSDT", "orderId": ask["orderId"]}).json()
    assert [
        (t["isBuyer"], t["isMaker"], t["commission"], t["commissionAsset"]) for t in maker_trades
    ] == [(False, True, "3.00000000", "USDT")]
    assert bob.get("myTrades", {"symbol": "BTCUSDT", "fromId": fill.trade_id + 1}).json() == []


def test_account_shows_balances_and_fee_rates(alice: SignedClient) -> None:
    alice.post("order", LIMIT_BUY)
    Balance.objects.create(user=alice.user, asset=Asset.objects.get(code="BTC"))  # holds none
    response = alice.get("account")
    assert response.status_code == 200, response.json()
    body = response.json()
    balances = {row["asset"]: row for row in body["balances"]}
    assert balances["USDT"] == {
        "asset": "USDT",
        "free": "90000.00000000",
        "locked": "10000.00000000",
    }
    for row in body["balances"]:
        stored = Balance.objects.get(user=alice.user, asset__code=row["asset"])
        assert (D(row["free"]), D(row["locked"])) == (stored.free, stored.locked)
    assert body["commissionRates"] == {
        "maker": "0.00100000",
        "taker": "0.00100000",
        "buyer": "0.00000000",
        "seller": "0.00000000",
    }
    assert (body["makerCommission"], body["takerCommission"], body["canTrade"]) == (10, 10, True)
    assert (body["accountType"], body["permissions"], body["uid"]) == (
        "SPOT",
        ["SPOT"],
        alice.user.pk,
    )
    nonzero = alice.get("account", {"omitZeroBalances": "true"}).json()["balances"]
    assert nonzero
    assert [row for row in body["balances"] if D(row["free"]) or D(row["locked"])] == nonzero
    assert len(nonzero) < len(body["balances"])


def test_account_commission_is_the_market_rates(alice: SignedClient) -> None:
    body = alice.get("account/commission", {"symbol": "BTCUSDT"}).json()
    assert body["symbol"] == "BTCUSDT"
    assert body["standardCommission"] == {
        "maker": "0.00100000",
        "taker": "0.00100000",
        "buyer": "0.00000000",
        "seller": "0.00000000",
    }
    assert body["discount"]["enabledForAccount"] is False


def test_test_orders_are_checked_and_not_placed(alice: SignedClient) -> None:
    assert alice.post("order/test", LIMIT_BUY).json() == {}
    rates = alice.post("order/test", {**LIMIT_BUY, "computeCommissionRates": "true"}).json()
    assert rates["standardCommissionForOrder"] == {"maker": "0.00100000", "taker": "0.00100000"}
    assert set(rates) == {
        "standardCommissionForOrder",
        "specialCommissionForOrder",
        "taxCommissionForOrder",
        "discount",
    }
    refused = alice.post("order/test", {**LIMIT_BUY, "price": "20000.001"})
    assert refused.json() == {"code": -1013, "msg": "Filter failure: PRICE_FILTER"}
    assert not Order.objects.exists()
    assert held(alice.user, "USDT") == (D(100000), D(0))


def test_another_users_order_is_not_found_and_stays(alice: SignedClient, bob: SignedClient) -> None:
    placed = alice.post("order", LIMIT_BUY).json()
    query: dict[str, Any] = {"symbol": "BTCUSDT", "orderId": placed["orderId"]}
    looked = bob.get("order", query)
    assert (looked.status_code, looked.json()) == (
        400,
        {"code": -2013, "msg": "Order does not exist."},
    )
    canceled = bob.delete("order", query)
    assert (canceled.status_code, canceled.json()) == (
        400,
        {"code": -2011, "msg": "Unknown order sent."},
    )
    assert bob.delete("openOrders", {"symbol": "BTCUSDT"}).json()["code"] == -2011
    assert Order.objects.get(pk=placed["orderId"]).status == "NEW"
    assert held(alice.user, "USDT") == (D(90000), D(10000))


def cancel_replace(client: SignedClient, order_id: int, mode: str, **new: str) -> Any:
    return client.post(
        "order/cancelReplace",
        {**LIMIT_BUY, "cancelReplaceMode": mode, "cancelOrderId": order_id, **new},
    )


def test_cancel_replace_cancels_and_places(alice: SignedClient) -> None:
    old = alice.post("order", LIMIT_BUY).json()
    response = cancel_replace(alice, old["orderId"], "STOP_ON_FAILURE", price="19000")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["cancelResult"], body["newOrderResult"]) == ("SUCCESS", "SUCCESS")
    assert set(body["cancelResponse"]) == CANCEL_FIELDS
    assert body["cancelResponse"]["orderId"] == old["orderId"]
    assert set(body["newOrderResponse"]) == RESULT_FIELDS | {"fills"}
    new_id = body["newOrderResponse"]["orderId"]
    assert Order.objects.get(pk=old["orderId"]).status == "CANCELED"
    assert (Order.objects.get(pk=new_id).status, Order.objects.get(pk=new_id).price) == (
        "NEW",
        D(19000),
    )
    assert held(alice.user, "USDT") == (D(90500), D(9500))
    assert response["X-MBX-ORDER-COUNT-10S"] == "2"


def test_cancel_replace_stops_when_the_cancel_fails(alice: SignedClient) -> None:
    response = cancel_replace(alice, 999_999, "STOP_ON_FAILURE")
    assert response.status_code == 400
    assert response.json() == {
        "code": -2022,
        "msg": "Order cancel-replace failed.",
        "data": {
            "cancelResult": "FAILURE",
            "newOrderResult": "NOT_ATTEMPTED",
            "cancelResponse": {"code": -2011, "msg": "Unknown order sent."},
            "newOrderResponse": None,
        },
    }
    assert not Order.objects.exists()


def test_cancel_replace_with_one_part_failing_is_409(alice: SignedClient) -> None:
    allowed = cancel_replace(alice, 999_999, "ALLOW_FAILURE")
    assert allowed.status_code == 409
    body = allowed.json()
    assert (body["code"], body["msg"]) == (-2021, "Order cancel-replace partially failed.")
    assert (body["data"]["cancelResult"], body["data"]["newOrderResult"]) == (
        "FAILURE",
        "SUCCESS",
    )
    placed = Order.objects.get(user=alice.user)
    refused = cancel_replace(alice, placed.id, "STOP_ON_FAILURE", quantity="100")
    assert refused.status_code == 409
    data = refused.json()["data"]
    assert (data["cancelResult"], data["newOrderResult"]) == ("SUCCESS", "FAILURE")
    assert data["newOrderResponse"] == {
        "code": -2010,
        "msg": "Account has insufficient balance for requested action.",
    }
    assert Order.objects.get(pk=placed.id).status == "CANCELED"
    assert Order.objects.filter(user=alice.user).count() == 1


def test_cancel_replace_tells_a_cancel_done_when_the_new_order_meets_a_limit(
    alice: SignedClient, settings: Any
) -> None:
    settings.PAPEREX_RATE_LIMITS = {**settings.PAPEREX_RATE_LIMITS, "orders": Rate(1, 10)}
    old = alice.post("order", LIMIT_BUY).json()
    response = cancel_replace(alice, old["orderId"], "STOP_ON_FAILURE")
    assert response.status_code == 409
    data = response.json()["data"]
    assert (data["cancelResult"], data["newOrderResult"]) == ("SUCCESS", "FAILURE")
    assert data["newOrderResponse"]["code"] == -1015
    assert Order.objects.get(pk=old["orderId"]).status == "CANCELED"
    whole = alice.post(
        "order/cancelReplace",
        {**LIMIT_BUY, "cancelReplaceMode": "ALLOW_FAILURE", "cancelOrderId": 999_999},
    )
    # Nothing changed (the cancel found no order): the limit answers the whole request.
    assert (whole.status_code, whole.json()["code"]) == (429, -1015)
