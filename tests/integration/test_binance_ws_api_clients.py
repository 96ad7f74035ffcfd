"""The real Binance clients, unchanged, on `paperex serve`'s WebSocket API ``/ws-api/v3``:
ccxt.pro places an order and follows its orders and balance on the user data stream;
python-binance places and reads orders and the account over the WebSocket API and follows the
user data stream with ``BinanceSocketManager.user_socket`` and ``ThreadedWebsocketManager``.
Every value they see is checked against what Paperex stored (its own API)."""

from __future__ import annotations

import asyncio
import queue
from collections.abc import AsyncIterator, Iterator
from decimal import Decimal
from typing import Any

import ccxt.pro
import httpx
import pytest
from binance import AsyncClient, BinanceSocketManager, ThreadedWebsocketManager

from tests.integration.test_binance_trading_clients import (
    SYMBOL,
    Exchange,
    exchange_running,
    settled,
)
from tests.support.waiting import wait_until

pytestmark = pytest.mark.integration
D = Decimal
WAIT = 30


@pytest.fixture(scope="module")
def exchange(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Exchange]:
    with exchange_running(tmp_path_factory.mktemp("binance-ws-api")) as exchange:
        yield exchange


def ws_api_url(exchange: Exchange) -> str:
    return exchange.url.replace("http://", "ws://") + "/ws-api/v3"


def held(exchange: Exchange) -> dict[str, tuple[Decimal, Decimal]]:
    """(free, locked) per asset as Paperex stores them, none as zeros."""
    balances = exchange.balances()
    return {asset: balances.get(asset, (D(0), D(0))) for asset in ("BTC", "USDT")}


# ccxt.pro -----------------------------------------------------------------------------------


@pytest.fixture
async def ccxt_pro(exchange: Exchange) -> AsyncIterator[Any]:
    """ccxt.pro's binance with REST and the WebSocket API pointed at the server."""
    api = f"{exchange.url}/api/v3"
    client = ccxt.pro.binance(
        {
            "apiKey": exchange.api_key,
            "secret": exchange.secret,
            "urls": {
                "api": {
                    "public": api,
                    "private": api,
                    "ws": {"ws-api": {"spot": ws_api_url(exchange)}},
                }
            },
            "options": {
                "fetchMarkets": {"types": ["spot"]},
                "fetchCurrencies": False,
                "fetchMargins": False,
            },
        }
    )
    await client.load_markets()
    yield client
    await client.close()


async def test_ccxt_pro_order_over_the_websocket_api_and_its_user_data_stream(
    ccxt_pro: Any, exchange: Exchange
) -> None:
    await ccxt_pro.authenticate()  # userDataStream.subscribe.signature, before anything happens
    watching_orders = asyncio.create_task(ccxt_pro.watch_orders("BTC/USDT"))
    watching_balance = asyncio.create_task(ccxt_pro.watch_balance())
    before = await asyncio.to_thread(held, exchange)
    placed = await ccxt_pro.create_order_ws("BTC/USDT", "market", "buy", 0.001)
    stored = await asyncio.to_thread(settled, exchange, placed["id"])
    fills = await asyncio.to_thread(exchange.fills, placed["id"])
    assert placed["clientOrderId"] == stored["client_order_id"]
    assert (placed["status"], stored["status"]) == ("closed", "FILLED")
    assert D(str(placed["filled"])) == D(stored["executed_quantity"]) == D("0.001")
    assert [
        (D(str(t["price"])), D(str(t["amount"])), D(str(t["fee"]["cost"])))
        for t in placed["trades"]
    ] == [(D(f["price"]), D(f["quantity"]), D(f["fee"])) for f in fills]

    async def watched_order() -> dict[str, Any]:
        orders = await watching_orders
        while True:
            mine = [order for order in orders if order["id"] == placed["id"]]
            if mine and mine[-1]["status"] == "closed":
                return mine[-1]
            orders = await ccxt_pro.watch_orders("BTC/USDT")

    order = await asyncio.wait_for(watched_order(), WAIT)
    assert order["clientOrderId"] == stored["client_order_id"]
    assert D(str(order["filled"])) == D("0.001")
    assert D(str(order["cost"])) == D(stored["cumulative_quote"])
    fee = sum((D(f["fee"]) for f in fills), D(0))
    after = await asyncio.to_thread(held, exchange)
    assert after["BTC"][0] == before["BTC"][0] + D("0.001") - fee

    async def watched_balance() -> dict[str, Any]:
        balance = await watching_balance
        while D(str(balance["BTC"]["free"])) != after["BTC"][0]:
            balance = await ccxt_pro.watch_balance()
        return dict(balance)

    balance = await asyncio.wait_for(watched_balance(), WAIT)
    assert D(str(balance["USDT"]["free"])) == after["USDT"][0]
    assert D(str(balance["USDT"]["used"])) == after["USDT"][1]

    snapshot = await ccxt_pro.fetch_balance_ws()  # account.status; ccxt keeps it in "info"
    rows = {row["asset"]: row for row in snapshot["info"]["balances"]}
    assert (D(rows["BTC"]["free"]), D(rows["BTC"]["locked"])) == after["BTC"]
    fetched = await ccxt_pro.fetch_order_ws(placed["id"], "BTC/USDT")
    assert (fetched["id"], fetched["status"]) == (placed["id"], "closed")


# python-binance -----------------------------------------------------------------------------


@pytest.fixture
def patched_urls(exchange: Exchange, monkeypatch: pytest.MonkeyPatch) -> None:
    """python-binance's class-level URLs pointed at the server (as the README says)."""
    monkeypatch.setattr(AsyncClient, "API_URL", f"{exchange.url}/api")
    monkeypatch.setattr(AsyncClient, "WS_API_URL", ws_api_url(exchange))


@pytest.fixture
async def binance_async(exchange: Exchange, patched_urls: None) -> AsyncIterator[AsyncClient]:
    client = await AsyncClient.create(exchange.api_key, exchange.secret)
    yield client
    await client.close_connection()


async def test_python_binance_orders_account_and_user_socket_over_the_websocket_api(
    binance_async: AsyncClient, exchange: Exchange
) -> None:
    price = await asyncio.to_thread(exchange.resting_bid_price)
    manager = BinanceSocketManager(binance_async)
    async with manager.user_socket() as stream:
        placed = await binance_async.ws_create_order(
            symbol=SYMBOL,
            side="BUY",
            type="LIMIT",
            timeInForce="GTC",
            quantity="0.001",
            price=str(price),
        )
        stored = await asyncio.to_thread(exchange.order, placed["orderId"])
        assert placed["clientOrderId"] == stored["client_order_id"]
        assert placed["clientOrderId"].startswith("x-HNA2TXFJ")
        assert (D(placed["price"]), D(placed["origQty"]), placed["status"]) == (
            D(stored["price"]),
            D(stored["quantity"]),
            "NEW",
        )
        report = await asyncio.wait_for(stream.recv(), WAIT)
        assert (report["e"], report["x"], report["i"], report["c"]) == (
            "executionReport",
            "NEW",
            placed["orderId"],
            placed["clientOrderId"],
        )
        assert (D(report["p"]), D(report["q"])) == (price, D("0.001"))
        position = await asyncio.wait_for(stream.recv(), WAIT)
        balances = await asyncio.to_thread(held, exchange)
        usdt = next(entry for entry in position["B"] if entry["a"] == "USDT")
        assert (D(usdt["f"]), D(usdt["l"])) == balances["USDT"]

        got = await binance_async.ws_get_order(symbol=SYMBOL, orderId=placed["orderId"])
        assert (got["orderId"], got["status"], got["isWorking"]) == (placed["orderId"], "NEW", True)
        account = await binance_async.ws_get_account()
        usdt_row = next(row for row in account["balances"] if row["asset"] == "USDT")
        assert (D(usdt_row["free"]), D(usdt_row["locked"])) == balances["USDT"]

        await binance_async.ws_cancel_order(symbol=SYMBOL, orderId=placed["orderId"])
        canceled = await asyncio.wait_for(stream.recv(), WAIT)
        assert (canceled["x"], canceled["X"], canceled["i"]) == (
            "CANCELED",
            "CANCELED",
            placed["orderId"],
        )
    assert (await asyncio.to_thread(exchange.order, placed["orderId"]))["status"] == "CANCELED"


def test_python_binance_threaded_user_socket(exchange: Exchange, patched_urls: None) -> None:
    events: queue.Queue[dict[str, Any]] = queue.Queue()
    manager = ThreadedWebsocketManager(api_key=exchange.api_key, api_secret=exchange.secret)
    manager.start()
    try:
        manager.start_user_socket(callback=events.put)
        price = exchange.resting_bid_price()

        def placed_and_reported() -> dict[str, Any] | None:
            answer = httpx.post(
                f"{exchange.url}/api/orders/",
                json={
                    "symbol": SYMBOL,
                    "side": "BUY",
                    "type": "LIMIT",
                    "price": str(price),
                    "quantity": "0.001",
                },
                headers=exchange.jwt,
                timeout=10,
            )
            assert answer.status_code in (200, 201), answer.text
            order = answer.json()
            try:
                report = events.get(timeout=5)
            except queue.Empty:
                return None  # the subscription was not there yet: place another
            return {"order": order, "report": report}

        got = wait_until(placed_and_reported, timeout=WAIT, what="a user data stream event")
        report = got["report"]
        assert report["e"] == "executionReport"
        stored = exchange.order(report["i"])
        assert (report["c"], report["X"], D(report["p"])) == (
            stored["client_order_id"],
            stored["status"],
            D(stored["price"]),
        )
    finally:
        manager.stop()
