"""The real Binance clients, unchanged, trade on `paperex serve` through the signed half of
``/api/v3``: ccxt, python-binance and Binance's own connector (binance-sdk-spot) place, look
up, list and cancel orders, read their trades and balances; and every value they see is what
Paperex stored (its own API, with the user's JWT): the order the library placed, its fills and
fees, and balances moved by exactly them.

Market orders fill against the synthetic feed's reference book; limit orders rest well below
the market so that they stay open until canceled."""

from __future__ import annotations

import contextlib
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import ccxt
import httpx
import pytest
from binance.client import Client
from binance_common.configuration import ConfigurationRestAPI
from binance_sdk_spot.rest_api import SpotRestAPI
from binance_sdk_spot.rest_api.models import (
    NewOrderSideEnum,
    NewOrderTimeInForceEnum,
    NewOrderTypeEnum,
)
from binance_sdk_spot.spot import Spot

from tests.integration.servers import PAPEREX, prepared_environment, running_server
from tests.support.waiting import wait_until

pytestmark = pytest.mark.integration
SYMBOL = "BTCUSDT"
D = Decimal


@dataclass(frozen=True)
class Exchange:
    """A running server and the demo user's API key and JWT."""

    url: str
    api_key: str
    secret: str
    jwt: dict[str, str]

    def api(self, path: str, **query: Any) -> Any:
        """Paperex's own API as the demo user."""
        answer = httpx.get(f"{self.url}/api/{path}", params=query, headers=self.jwt, timeout=10)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def order(self, order_id: int | str) -> dict[str, Any]:
        """The order as Paperex stored it."""
        return dict(self.api(f"orders/{order_id}/"))

    def fills(self, order_id: int | str) -> list[dict[str, Any]]:
        """The order's fills as Paperex stored them, oldest first."""
        return sorted(
            self.api("fills/", order_id=order_id, limit=1000)["results"], key=lambda f: f["id"]
        )

    def balances(self) -> dict[str, tuple[Decimal, Decimal]]:
        """(free, locked) per asset as Paperex stores them."""
        return {row["asset"]: (D(row["free"]), D(row["locked"])) for row in self.api("balances/")}

    def resting_bid_price(self) -> Decimal:
        """A buy price a tenth below the best bid, on the tick: it rests, inside the band."""
        book = self.api(f"markets/{SYMBOL}/book/", depth=1, source="merged")
        tick = D(next(m for m in self.api("markets/") if m["symbol"] == SYMBOL)["tick_size"])
        return (D(book["bids"][0][0]) * D("0.9")).quantize(tick, rounding=ROUND_DOWN)


def api_key_created(env: dict[str, str]) -> tuple[str, str]:
    """A new HMAC key of the demo user's, made by `paperex apikey create`."""
    made = subprocess.run(
        [*PAPEREX, "apikey", "create", "demo", "--label", "clients"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    api_key = re.search(r"api_key:\s+(\S+)", made)
    secret = re.search(r"secret_key:\s+(\S+)", made)
    assert api_key, made
    assert secret, made
    return api_key.group(1), secret.group(1)


@contextlib.contextmanager
def exchange_running(folder: Path) -> Iterator[Exchange]:
    """A server whose synthetic feed runs and whose BTCUSDT takes market orders, with the demo
    user's new API key and JWT."""
    with prepared_environment(folder) as env, running_server(env) as url:
        api_key, secret = api_key_created(env)
        tokens = httpx.post(
            f"{url}/api/token/", json={"username": "demo", "password": "demo12345"}, timeout=10
        ).json()

        def book_has_both_sides() -> bool:
            book = httpx.get(f"{url}/api/v3/depth", params={"symbol": SYMBOL}, timeout=10)
            return bool(book.status_code == 200 and book.json()["bids"] and book.json()["asks"])

        wait_until(book_has_both_sides, timeout=30, what="a BTCUSDT book")
        yield Exchange(url, api_key, secret, {"Authorization": f"Bearer {tokens['access']}"})


@pytest.fixture(scope="module")
def exchange(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Exchange]:
    with exchange_running(tmp_path_factory.mktemp("binance-trading")) as exchange:
        yield exchange


def total(balances: dict[str, tuple[Decimal, Decimal]], asset: str) -> Decimal:
    free, locked = balances.get(asset, (D(0), D(0)))
    return free + locked


def settled(exchange: Exchange, order_id: int | str) -> dict[str, Any]:
    """The stored order once the engine has finished with it (a market order's last fill)."""

    def done() -> dict[str, Any] | None:
        order = exchange.order(order_id)
        return order if order["status"] not in ("NEW", "PARTIALLY_FILLED") else None

    return wait_until(done, timeout=30, what=f"order {order_id} settled", interval=0.2)


# ccxt ---------------------------------------------------------------------------------------


@pytest.fixture
def ccxt_binance(exchange: Exchange) -> ccxt.binance:
    """ccxt's binance pointed at the server the way the README says."""
    api = f"{exchange.url}/api/v3"
    client = ccxt.binance(
        {
            "apiKey": exchange.api_key,
            "secret": exchange.secret,
            "urls": {"api": {"public": api, "private": api}},
            "options": {
                "fetchMarkets": {"types": ["spot"]},
                "fetchCurrencies": False,
                "fetchMargins": False,
            },
        }
    )
    client.load_markets()
    return client


def test_ccxt_limit_order_is_the_stored_order_and_cancels(
    ccxt_binance: ccxt.binance, exchange: Exchange
) -> None:
    price = exchange.resting_bid_price()
    before = exchange.balances()
    placed = ccxt_binance.create_order("BTC/USDT", "limit", "buy", 0.001, float(price))
    stored = exchange.order(placed["id"])
    assert stored["client_order_id"] == placed["clientOrderId"]
    assert placed["clientOrderId"].startswith("x-TKT5PX2F")
    assert (stored["side"], stored["type"], stored["status"]) == ("BUY", "LIMIT", "NEW")
    assert (D(stored["price"]), D(stored["quantity"])) == (price, D("0.001"))
    assert placed["status"] == "open"
    locked = price * D("0.001")
    assert exchange.balances()["USDT"] == (before["USDT"][0] - locked, before["USDT"][1] + locked)
    balance = ccxt_binance.fetch_balance()
    assert D(str(balance["USDT"]["used"])) == exchange.balances()["USDT"][1]
    assert D(str(balance["USDT"]["free"])) == exchange.balances()["USDT"][0]

    fetched = ccxt_binance.fetch_order(placed["id"], "BTC/USDT")
    assert (fetched["id"], fetched["status"], D(str(fetched["price"]))) == (
        placed["id"],
        "open",
        price,
    )
    assert placed["id"] in [o["id"] for o in ccxt_binance.fetch_open_orders("BTC/USDT")]
    canceled = ccxt_binance.cancel_order(placed["id"], "BTC/USDT")
    assert canceled["status"] == "canceled"
    assert exchange.order(placed["id"])["status"] == "CANCELED"
    assert exchange.balances()["USDT"] == before["USDT"]
    with pytest.raises(ccxt.OrderNotFound):
        ccxt_binance.cancel_order(placed["id"], "BTC/USDT")


def test_ccxt_market_orders_fill_with_stored_fills_and_fees(
    ccxt_binance: ccxt.binance, exchange: Exchange
) -> None:
    before = exchange.balances()
    bought = ccxt_binance.create_order("BTC/USDT", "market", "buy", 0.001)
    stored = settled(exchange, bought["id"])
    fills = exchange.fills(bought["id"])
    assert stored["status"] == "FILLED"
    assert bought["status"] == "closed"
    assert D(str(bought["filled"])) == D(stored["executed_quantity"]) == D("0.001")
    assert D(str(bought["cost"])) == D(stored["cumulative_quote"])
    assert [(D(str(t["price"])), D(str(t["amount"]))) for t in bought["trades"]] == [
        (D(f["price"]), D(f["quantity"])) for f in fills
    ]
    assert [(D(str(t["fee"]["cost"])), t["fee"]["currency"]) for t in bought["trades"]] == [
        (D(f["fee"]), f["fee_asset"]) for f in fills
    ]
    fee = sum((D(f["fee"]) for f in fills), D(0))
    after = exchange.balances()
    assert total(after, "USDT") == total(before, "USDT") - D(stored["cumulative_quote"])
    assert total(after, "BTC") == total(before, "BTC") + D("0.001") - fee

    by_cost = ccxt_binance.create_market_buy_order_with_cost("BTC/USDT", 20)
    spent = settled(exchange, by_cost["id"])
    assert D(spent["quote_order_qty"]) == D(20)
    assert D(spent["cumulative_quote"]) <= D(20)
    assert total(exchange.balances(), "USDT") == total(after, "USDT") - D(spent["cumulative_quote"])

    trades = ccxt_binance.fetch_my_trades("BTC/USDT")
    mine = {f["trade_id"]: f for f in exchange.api("fills/", symbol=SYMBOL, limit=1000)["results"]}
    assert {int(t["id"]) for t in trades} == set(mine)
    for trade in trades:
        fill = mine[int(trade["id"])]
        assert int(trade["order"]) == fill["order_id"]
        assert D(str(trade["price"])) == D(fill["price"])
        assert D(str(trade["amount"])) == D(fill["quantity"])
        assert D(str(trade["fee"]["cost"])) == D(fill["fee"])
        assert trade["takerOrMaker"] == fill["liquidity"].lower()


def test_ccxt_cancel_all_and_fetch_orders(ccxt_binance: ccxt.binance, exchange: Exchange) -> None:
    price = exchange.resting_bid_price()
    placed = [
        ccxt_binance.create_order("BTC/USDT", "limit", "buy", 0.001, float(price - step))
        for step in (D(0), D(1))
    ]
    canceled = ccxt_binance.cancel_all_orders("BTC/USDT")
    assert {o["id"] for o in canceled} == {o["id"] for o in placed}
    assert {exchange.order(o["id"])["status"] for o in placed} == {"CANCELED"}
    assert ccxt_binance.fetch_open_orders("BTC/USDT") == []
    orders = ccxt_binance.fetch_orders("BTC/USDT")
    stored = exchange.api("orders/", symbol=SYMBOL, limit=1000)["results"]
    assert {int(o["id"]) for o in orders} == {o["id"] for o in stored}
    statuses = {"CANCELED": "canceled", "FILLED": "closed", "NEW": "open", "EXPIRED": "expired"}
    for order in orders:
        own = next(o for o in stored if o["id"] == int(order["id"]))
        assert order["status"] == statuses[own["status"]]
        assert order["clientOrderId"] == own["client_order_id"]


def test_ccxt_with_its_default_sapi_calls_reads_the_balance(exchange: Exchange) -> None:
    """Left to its defaults, ccxt asks the sapi currencies and margin pairs when it loads
    markets with keys: they answer harmlessly, and the balance is Paperex's."""
    urls = {
        name: exchange.url + urlsplit(url).path
        for name, url in ccxt.binance().urls["api"].items()
        if isinstance(url, str)
    }
    client = ccxt.binance(
        {
            "apiKey": exchange.api_key,
            "secret": exchange.secret,
            "urls": {"api": urls},
            "options": {"fetchMarkets": {"types": ["spot"]}},
        }
    )
    balance = client.fetch_balance()
    for asset, (free, locked) in exchange.balances().items():
        assert (D(str(balance[asset]["free"])), D(str(balance[asset]["used"]))) == (free, locked)


# python-binance -----------------------------------------------------------------------------


@pytest.fixture
def binance_client(exchange: Exchange) -> Client:
    """python-binance's Client pointed at the server the way the README says."""
    client = Client(exchange.api_key, exchange.secret, ping=False)
    client.API_URL = f"{exchange.url}/api"
    client.ping()
    return client


def test_python_binance_limit_order_query_and_cancel(
    binance_client: Client, exchange: Exchange
) -> None:
    price = exchange.resting_bid_price()
    before = exchange.balances()
    placed = binance_client.order_limit_buy(symbol=SYMBOL, quantity="0.001", price=str(price))
    stored = exchange.order(placed["orderId"])
    assert placed["clientOrderId"] == stored["client_order_id"]
    assert placed["clientOrderId"].startswith("x-HNA2TXFJ")
    assert placed["fills"] == []  # FULL: python-binance sends no newOrderRespType
    assert (D(placed["price"]), D(placed["origQty"]), placed["status"]) == (
        D(stored["price"]),
        D(stored["quantity"]),
        stored["status"],
    )
    got = binance_client.get_order(symbol=SYMBOL, orderId=placed["orderId"])
    assert (got["orderId"], got["status"], got["isWorking"]) == (placed["orderId"], "NEW", True)
    assert placed["orderId"] in [
        o["orderId"] for o in binance_client.get_open_orders(symbol=SYMBOL)
    ]
    assert (
        D(binance_client.get_asset_balance(asset="USDT")["locked"])
        == (exchange.balances()["USDT"][1])
    )
    canceled = binance_client.cancel_order(symbol=SYMBOL, orderId=placed["orderId"])  # body
    assert (canceled["status"], canceled["origClientOrderId"]) == (
        "CANCELED",
        placed["clientOrderId"],
    )
    assert exchange.order(placed["orderId"])["status"] == "CANCELED"
    assert exchange.balances()["USDT"] == before["USDT"]


def test_python_binance_market_orders_fills_fees_and_balances(
    binance_client: Client, exchange: Exchange
) -> None:
    btc_before = D(binance_client.get_asset_balance(asset="BTC")["free"])
    bought = binance_client.create_order(symbol=SYMBOL, side="BUY", type="MARKET", quantity="0.002")
    stored = settled(exchange, bought["orderId"])
    fills = exchange.fills(bought["orderId"])
    assert bought["fills"] == [
        {
            "price": f"{D(f['price']):.8f}",
            "qty": f"{D(f['quantity']):.8f}",
            "commission": f"{D(f['fee']):.8f}",
            "commissionAsset": f["fee_asset"],
            "tradeId": f["trade_id"],
        }
        for f in fills
    ]
    assert D(bought["cummulativeQuoteQty"]) == D(stored["cumulative_quote"])
    bought_fee = sum((D(f["commission"]) for f in bought["fills"]), D(0))
    btc_after = D(binance_client.get_asset_balance(asset="BTC")["free"])
    assert btc_after == btc_before + D("0.002") - bought_fee

    usdt_before = D(binance_client.get_asset_balance(asset="USDT")["free"])
    sold = binance_client.order_market_sell(symbol=SYMBOL, quantity="0.001")
    settled(exchange, sold["orderId"])
    sold_fee = sum((D(f["commission"]) for f in sold["fills"]), D(0))
    assert {f["commissionAsset"] for f in sold["fills"]} == {"USDT"}
    usdt_after = D(binance_client.get_asset_balance(asset="USDT")["free"])
    assert usdt_after == usdt_before + D(sold["cummulativeQuoteQty"]) - sold_fee
    assert D(binance_client.get_asset_balance(asset="BTC")["free"]) == btc_after - D("0.001")

    trades = binance_client.get_my_trades(symbol=SYMBOL)
    mine = {f["trade_id"]: f for f in exchange.api("fills/", symbol=SYMBOL, limit=1000)["results"]}
    assert {t["id"] for t in trades} == set(mine)
    for trade in trades:
        fill = mine[trade["id"]]
        assert (trade["orderId"], D(trade["qty"]), D(trade["commission"])) == (
            fill["order_id"],
            D(fill["quantity"]),
            D(fill["fee"]),
        )
        assert trade["isMaker"] is (fill["liquidity"] == "MAKER")
    all_orders = binance_client.get_all_orders(symbol=SYMBOL)
    assert {bought["orderId"], sold["orderId"]} <= {o["orderId"] for o in all_orders}

    account = binance_client.get_account()
    assert {
        row["asset"]: (D(row["free"]), D(row["locked"])) for row in account["balances"]
    } == exchange.balances()
    assert account["canTrade"] is True


def test_ccxt_edit_order_is_a_cancel_replace(
    ccxt_binance: ccxt.binance, exchange: Exchange
) -> None:
    price = exchange.resting_bid_price()
    placed = ccxt_binance.create_order("BTC/USDT", "limit", "buy", 0.001, float(price))
    edited = ccxt_binance.edit_order(
        placed["id"], "BTC/USDT", "limit", "buy", 0.002, float(price - 1)
    )
    assert edited["id"] != placed["id"]
    assert exchange.order(placed["id"])["status"] == "CANCELED"
    stored = exchange.order(edited["id"])
    assert (stored["status"], D(stored["quantity"]), D(stored["price"])) == (
        "NEW",
        D("0.002"),
        price - 1,
    )
    assert exchange.balances()["USDT"][1] == (price - 1) * D("0.002")
    ccxt_binance.cancel_order(edited["id"], "BTC/USDT")


# Binance's connector (binance-sdk-spot) -----------------------------------------------------


@pytest.fixture
def connector(exchange: Exchange) -> SpotRestAPI:
    """Binance's own connector pointed at the server the way the README says."""
    return Spot(
        config_rest_api=ConfigurationRestAPI(
            api_key=exchange.api_key, api_secret=exchange.secret, base_path=exchange.url
        )
    ).rest_api


def test_binance_connector_limit_order_query_and_cancel(
    connector: SpotRestAPI, exchange: Exchange
) -> None:
    price = exchange.resting_bid_price()
    before = exchange.balances()
    placed = connector.new_order(
        symbol=SYMBOL,
        side=NewOrderSideEnum.BUY,
        type=NewOrderTypeEnum.LIMIT,
        time_in_force=NewOrderTimeInForceEnum.GTC,
        quantity=0.001,
        price=float(price),
    ).data()
    stored = exchange.order(placed.order_id)
    assert placed.client_order_id == stored["client_order_id"]
    assert (D(placed.price), D(placed.orig_qty), placed.status) == (price, D("0.001"), "NEW")
    assert placed.fills == []  # FULL: the LIMIT default
    got = connector.get_order(symbol=SYMBOL, order_id=placed.order_id).data()
    assert (got.order_id, got.status, got.is_working) == (placed.order_id, "NEW", True)
    account = connector.get_account(omit_zero_balances=True).data()
    assert {row.asset: (D(row.free), D(row.locked)) for row in account.balances} == {
        asset: amounts for asset, amounts in exchange.balances().items() if any(amounts)
    }
    canceled = connector.delete_order(symbol=SYMBOL, order_id=placed.order_id).data()
    assert (canceled.status, canceled.orig_client_order_id) == ("CANCELED", placed.client_order_id)
    assert exchange.order(placed.order_id)["status"] == "CANCELED"
    assert exchange.balances()["USDT"] == before["USDT"]


def test_binance_connector_market_buy_fills_and_fees(
    connector: SpotRestAPI, exchange: Exchange
) -> None:
    before = exchange.balances()
    bought = connector.new_order(
        symbol=SYMBOL, side=NewOrderSideEnum.BUY, type=NewOrderTypeEnum.MARKET, quantity=0.001
    ).data()
    stored = settled(exchange, bought.order_id)
    fills = exchange.fills(bought.order_id)
    assert [
        (D(f.price), D(f.qty), D(f.commission), f.commission_asset, f.trade_id)
        for f in bought.fills
    ] == [
        (D(f["price"]), D(f["quantity"]), D(f["fee"]), f["fee_asset"], f["trade_id"]) for f in fills
    ]
    assert D(bought.cummulative_quote_qty) == D(stored["cumulative_quote"])
    fee = sum((D(f["fee"]) for f in fills), D(0))
    after = exchange.balances()
    assert total(after, "BTC") == total(before, "BTC") + D("0.001") - fee
    assert total(after, "USDT") == total(before, "USDT") - D(stored["cumulative_quote"])
