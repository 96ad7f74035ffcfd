from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from rest_framework.test import APIClient

from paperex.apps.accounts.models import User
from paperex.apps.trading.models import Fill
from tests.support.ledger import assert_balances_equal_ledger, balances, fund_btc
from tests.support.trading import place

Trader = Callable[[str], tuple[User, APIClient]]
pytestmark = pytest.mark.usefixtures("engine_host")


def test_limit_order_lifecycle_place_list_cancel(make_trader: Trader) -> None:
    _, alice = make_trader("alice")
    created = place(
        alice, symbol="btcusdt", side="BUY", type="LIMIT", price="20000", quantity="0.5"
    )
    assert created.status_code == 201, created.json()
    order = created.json()
    assert order["status"] == "NEW"
    assert order["symbol"] == "BTCUSDT"
    assert (order["price"], order["quantity"], order["executed_quantity"]) == ("20000", "0.5", "0")
    assert balances(alice)["USDT"] == ("90000", "10000")

    listed = alice.get("/api/orders/", {"status": "NEW"}).json()
    assert [row["id"] for row in listed["results"]] == [order["id"]]
    assert alice.get(f"/api/orders/{order['id']}/").json() == order

    canceled = alice.delete(f"/api/orders/{order['id']}/")
    assert canceled.status_code == 200
    assert canceled.json()["status"] == "CANCELED"
    assert balances(alice)["USDT"] == ("100000", "0")
    again = alice.delete(f"/api/orders/{order['id']}/")
    assert again.status_code == 400
    assert again.json()["code"] == "ORDER_NOT_OPEN"


def test_a_trade_moves_balances_and_charges_fees(make_trader: Trader) -> None:
    alice_user, alice = make_trader("alice")
    _, bob = make_trader("bob")
    fund_btc(alice_user, Decimal(2))
    ask = place(alice, symbol="BTCUSDT", side="SELL", price="30000", quantity="1").json()
    assert balances(alice)["BTC"] == ("1", "1")

    taker = place(bob, symbol="BTCUSDT", side="BUY", type="MARKET", quote_order_qty="15000")
    assert taker.status_code == 201, taker.json()
    body = taker.json()
    assert (body["status"], body["executed_quantity"], body["cumulative_quote"]) == (
        "FILLED",
        "0.5",
        "15000",
    )
    # Bob paid 15000 USDT and received 0.5 BTC minus the 0.1% taker fee in BTC.
    assert balances(bob)["USDT"] == ("85000", "0")
    assert balances(bob)["BTC"] == ("0.4995", "0")
    # Alice (maker) received 15000 USDT minus the 0.1% maker fee; half her ask still rests.
    assert balances(alice)["USDT"] == ("114985", "0")
    assert balances(alice)["BTC"] == ("1", "0.5")
    maker = alice.get(f"/api/orders/{ask['id']}/").json()
    assert (maker["status"], maker["executed_quantity"]) == ("PARTIALLY_FILLED", "0.5")

    bob_fills = bob.get("/api/fills/").json()["results"]
    assert [(f["liquidity"], f["fee"], f["fee_asset"]) for f in bob_fills] == [
        ("TAKER", "0.0005", "BTC")
    ]
    alice_fills = alice.get("/api/fills/", {"symbol": "BTCUSDT"}).json()["results"]
    assert [(f["liquidity"], f["fee"], f["fee_asset"]) for f in alice_fills] == [
        ("MAKER", "15", "USDT")
    ]
    trades = APIClient().get("/api/markets/BTCUSDT/trades/").json()
    assert [(t["price"], t["quantity"], t["sequence"]) for t in trades] == [("30000", "0.5", 1)]
    book = APIClient().get("/api/markets/BTCUSDT/book/", {"source": "exchange"}).json()
    assert book["asks"] == [["30000", "0.5"]]
    assert book["bids"] == []


def test_users_see_and_cancel_only_their_own_orders(make_trader: Trader) -> None:
    _, alice = make_trader("alice")
    _, bob = make_trader("bob")
    order = place(alice, symbol="BTCUSDT", side="BUY", price="100", quantity="0.1").json()
    assert bob.get(f"/api/orders/{order['id']}/").status_code == 404
    assert bob.delete(f"/api/orders/{order['id']}/").status_code == 404
    assert bob.get("/api/orders/").json()["results"] == []
    assert alice.get(f"/api/orders/{order['id']}/").json()["status"] == "NEW"
    assert APIClient().get("/api/orders/").status_code == 401


@pytest.mark.parametrize(
    ("fields", "code", "in_message"),
    [
        ({"quantity": "-1"}, "invalid", "quantity"),
        ({"quantity": "0"}, "invalid", "quantity"),
        ({"price": "-5"}, "invalid", "price"),
        ({"price": "20000.001"}, "PRICE_FILTER", "tick size"),
        ({"quantity": "0.000001"}, "LOT_SIZE", "step size"),
        ({"symbol": "DOGEUSDT"}, "UNKNOWN_SYMBOL", "DOGEUSDT"),
        ({"price": None}, "invalid", "price"),
        ({"quantity": "0.0001", "price": "100"}, "NOTIONAL", "NOTIONAL"),
        ({"quantity": "100"}, "INSUFFICIENT_BALANCE", "insufficient"),
        ({"side": "HOLD"}, "invalid", "side"),
        ({"quantity": "abc"}, "invalid", "quantity"),
    ],
)
def test_bad_orders_are_400_with_a_code_and_message(
    make_trader: Trader, fields: dict[str, Any], code: str, in_message: str
) -> None:
    _, alice = make_trader("alice")
    order = {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "price": "20000"}
    order["quantity"] = "0.5"
    order.update(fields)
    order = {key: value for key, value in order.items() if value is not None}
    response = place(alice, **order)
    assert response.status_code == 400, response.json()
    body = response.json()
    assert body["code"] == code
    assert in_message.lower() in body["message"].lower()


def test_take_profit_orders_wait_for_their_trigger_price(make_trader: Trader) -> None:
    alice_user, alice = make_trader("alice")
    _, bob = make_trader("bob")
    fund_btc(alice_user, Decimal(1))
    place(alice, symbol="BTCUSDT", side="SELL", price="30000", quantity="0.5")
    place(bob, symbol="BTCUSDT", side="BUY", price="30000", quantity="0.1")  # last price 30000
    fields = {"symbol": "BTCUSDT", "quantity": "0.1"}

    # A sell takes profit when the price rises to the trigger; a buy when it falls to it.
    sell = place(
        alice, side="SELL", type="TAKE_PROFIT_LIMIT", stop_price="35000", price="34900", **fields
    )
    buy = place(bob, side="BUY", type="TAKE_PROFIT", stop_price="25000", **fields)
    assert (sell.status_code, buy.status_code) == (201, 201), (sell.json(), buy.json())
    assert (sell.json()["type"], sell.json()["status"], sell.json()["stop_price"]) == (
        "TAKE_PROFIT_LIMIT",
        "NEW",
        "35000",
    )
    assert (buy.json()["type"], buy.json()["status"], buy.json()["price"]) == (
        "TAKE_PROFIT",
        "NEW",
        None,
    )
    book = APIClient().get("/api/markets/BTCUSDT/book/", {"source": "exchange"}).json()
    assert book["asks"] == [["30000", "0.4"]]  # waiting take-profits are not in the book

    at_once = place(alice, side="SELL", type="TAKE_PROFIT", stop_price="29000", **fields)
    assert (at_once.status_code, at_once.json()["code"]) == (400, "WOULD_TRIGGER_IMMEDIATELY")
    no_trigger = place(alice, side="SELL", type="TAKE_PROFIT", **fields)
    assert no_trigger.status_code == 400
    assert "stop_price" in no_trigger.json()["errors"]
    no_price = place(alice, side="SELL", type="TAKE_PROFIT_LIMIT", stop_price="35000", **fields)
    assert no_price.status_code == 400
    assert "price" in no_price.json()["errors"]


def test_numbers_are_accepted_as_json_numbers(make_trader: Trader) -> None:
    _, alice = make_trader("alice")
    response = place(alice, symbol="BTCUSDT", side="BUY", price=20000.5, quantity=0.25)
    assert response.status_code == 201
    assert (response.json()["price"], response.json()["quantity"]) == ("20000.5", "0.25")


def test_placing_is_idempotent_by_client_order_id(make_trader: Trader) -> None:
    _, alice = make_trader("alice")
    fields = {"symbol": "BTCUSDT", "side": "BUY", "price": "100", "quantity": "0.1"}
    first = place(alice, client_order_id="my-1", **fields)
    retry = place(alice, client_order_id="my-1", **fields)
    assert (first.status_code, retry.status_code) == (201, 200)
    assert retry.json()["id"] == first.json()["id"]
    alice.delete(f"/api/orders/{first.json()['id']}/")
    after_cancel = place(alice, client_order_id="my-1", **fields)
    assert after_cancel.status_code == 200
    assert after_cancel.json()["status"] == "CANCELED"
    assert len(alice.get("/api/orders/").json()["results"]) == 1


def test_session_authenticated_post_goes_through_the_drf_view(make_trader: Trader) -> None:
    user, _ = make_trader("alice")
    client = APIClient()
    client.force_authenticate(user)
    response = place(client, symbol="BTCUSDT", side="SELL", price="100", quantity="0.1")
    assert response.status_code == 400
    assert response.json()["code"] == "INSUFFICIENT_BALANCE"


def test_cancel_all_and_listing_filters_and_ordering(make_trader: Trader) -> None:
    _, alice = make_trader("alice")
    for price in ("100", "300", "200"):
        place(alice, symbol="BTCUSDT", side="BUY", price=price, quantity="0.1")
    place(alice, symbol="ETHUSDT", side="BUY", price="100", quantity="0.1")
    by_price = alice.get("/api/orders/", {"symbol": "BTCUSDT", "ordering": "-price"}).json()
    assert [row["price"] for row in by_price["results"]] == ["300", "200", "100"]
    page = alice.get("/api/orders/", {"limit": 2}).json()
    assert (page["count"], len(page["results"])) == (4, 2)
    assert alice.get("/api/orders/", {"ordering": "nonsense"}).status_code == 400

    canceled = alice.post("/api/orders/cancel-all/", {"symbol": "BTCUSDT"}, format="json")
    assert sorted(row["price"] for row in canceled.json()) == ["100", "200", "300"]
    assert {
        row["symbol"] for row in alice.get("/api/orders/", {"status": "NEW"}).json()["results"]
    } == {"ETHUSDT"}
    assert balances(alice)["USDT"] == ("99990", "10")


def test_every_fill_is_stored_once_and_the_ledger_rebuilds_balances(
    make_trader: Trader,
) -> None:
    alice_user, alice = make_trader("alice")
    _, bob = make_trader("bob")
    fund_btc(alice_user, Decimal(1))
    for price in ("30000", "30001", "30002"):
        place(alice, symbol="BTCUSDT", side="SELL", price=price, quantity="0.1")
    place(bob, symbol="BTCUSDT", side="BUY", price="30002", quantity="0.25")
    assert Fill.objects.count() == 6  # three trades, a maker and a taker side each
    assert_balances_equal_ledger()


def test_an_order_sent_without_an_id_is_named_by_the_server_and_a_retry_by_that_name_is_it(
    make_trader: Trader,
) -> None:
    user, client = make_trader("alice")
    order = {"symbol": "BTCUSDT", "side": "BUY", "price": "20000", "quantity": "0.01"}
    first = place(client, **order)
    assert first.status_code == 201
    named = first.json()["client_order_id"]
    assert named.startswith("paperex-")
    # Closed, so that only the stored orders know the name.
    assert client.delete(f"/api/orders/{first.json()['id']}/").status_code == 200
    again = place(client, **order, client_order_id=named)
    assert (again.status_code, again.json()["id"]) == (200, first.json()["id"])
    assert user.orders.count() == 1
