"""The user's orders, trades, balances and fee rates in Binance's wire shapes (reference
binance-compat.md §3.1-3.9): Binance's field names, amounts as strings with 8 decimal places,
ids and times (ms since the epoch) as integers."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Protocol

from paperex.apps.binance.wire import ZERO, Row, binance_amount
from paperex.apps.core.amounts import epoch_ms
from paperex.apps.markets.models import Market
from paperex.apps.trading.models import Balance, Fill, Order
from paperex.domain import OrderType, Side
from paperex.domain.orders import ExpiryReason, Liquidity, OrderStatus

NO_ORDER_LIST = -1
"""``orderListId`` of an order that belongs to no order list (Paperex has none)."""
NOT_WORKING = -1
"""``workingTime`` of a stop order that has not triggered yet."""
BASIS_POINT = Decimal("0.0001")
"""Binance's ``makerCommission`` integers count rates in hundredths of a percent."""
DISCOUNT_ASSET = "BNB"
STOP_TYPES = frozenset(str(order_type) for order_type in OrderType if order_type.is_stop)
"""The stop order types by name: a look-up of an order's ``type`` text without an enum made of
it (the new order's answer is on the order lane's path)."""


class Named(Protocol):
    """What the answers read of an order's market."""

    @property
    def symbol(self) -> str: ...


class WireOrder(Protocol):
    """What the answers to a new order read of it: a stored ``Order``, or the engine's reply
    under the same names (``order_actions.PlacedOrder``, its amounts as the reply's text)."""

    @property
    def market(self) -> Named: ...
    @property
    def id(self) -> int: ...
    @property
    def client_order_id(self) -> str: ...
    @property
    def side(self) -> str: ...
    @property
    def type(self) -> str: ...
    @property
    def time_in_force(self) -> str: ...
    @property
    def price(self) -> Decimal | str | None: ...
    @property
    def stop_price(self) -> Decimal | str | None: ...
    @property
    def quantity(self) -> Decimal | str: ...
    @property
    def quote_amount(self) -> Decimal | str | None: ...
    @property
    def executed_quantity(self) -> Decimal | str: ...
    @property
    def cumulative_quote(self) -> Decimal | str: ...
    @property
    def status(self) -> str: ...
    @property
    def status_reason(self) -> str: ...
    @property
    def self_trade_prevention(self) -> str: ...
    @property
    def triggered(self) -> bool: ...
    @property
    def created_at(self) -> datetime: ...


class ResponseType(StrEnum):
    """``newOrderRespType``: how much of the new order the answer tells."""

    ACK = "ACK"
    RESULT = "RESULT"
    FULL = "FULL"


def default_response_type(order_type: OrderType) -> ResponseType:
    """Binance's default ``newOrderRespType``: FULL for MARKET and LIMIT, ACK for the rest."""
    if order_type in (OrderType.MARKET, OrderType.LIMIT):
        return ResponseType.FULL
    return ResponseType.ACK


def order_status(order: WireOrder) -> str:
    """Binance's status of an order: an order expired by self-trade prevention is
    EXPIRED_IN_MATCH, the rest keep Paperex's status (the same names)."""
    if (
        order.status == OrderStatus.EXPIRED
        and order.status_reason == ExpiryReason.SELF_TRADE_PREVENTION
    ):
        return "EXPIRED_IN_MATCH"
    return order.status


def is_working(order: WireOrder) -> bool:
    """Whether the order is (or was) on the book: False for a stop order not yet triggered."""
    return order.triggered or order.type not in STOP_TYPES


_NO_AMOUNT = binance_amount(ZERO)


def _amount(value: Decimal | str | None) -> str:
    return _NO_AMOUNT if value is None else binance_amount(value)


def _order_amounts(order: WireOrder) -> Row:
    return {
        "price": _amount(order.price),
        "origQty": binance_amount(order.quantity),
        "executedQty": binance_amount(order.executed_quantity),
        "origQuoteOrderQty": _amount(order.quote_amount),
        "cummulativeQuoteQty": binance_amount(order.cumulative_quote),
        "status": order_status(order),
        "timeInForce": order.time_in_force,
        "type": order.type,
        "side": order.side,
    }


def _stop_price(order: WireOrder) -> Row:
    return {} if order.stop_price is None else {"stopPrice": binance_amount(order.stop_price)}


def order_ack(order: WireOrder) -> Row:
    """A new order's ACK answer."""
    return _ack(order, epoch_ms(order.created_at))


def _ack(order: WireOrder, created: int) -> Row:
    return {
        "symbol": order.market.symbol,
        "orderId": order.id,
        "orderListId": NO_ORDER_LIST,
        "clientOrderId": order.client_order_id,
        "transactTime": created,
    }


def order_result(order: WireOrder) -> Row:
    """A new order's RESULT answer: ACK plus its amounts and status."""
    created = epoch_ms(order.created_at)
    return {
        **_ack(order, created),
        **_order_amounts(order),
        **_stop_price(order),
        "workingTime": created if is_working(order) else NOT_WORKING,
        "selfTradePreventionMode": order.self_trade_prevention,
    }


def order_fill(fill: Fill) -> Row:
    """One fill of a new order in a FULL answer."""
    return {
        "price": binance_amount(fill.price),
        "qty": binance_amount(fill.quantity),
        "commission": binance_amount(fill.fee),
        "commissionAsset": fill.fee_asset.code,
        "tradeId": fill.trade_id,
    }


def order_full(order: WireOrder, fills: Iterable[Fill]) -> Row:
    """A new order's FULL answer: RESULT plus the fills it made on arrival."""
    return {**order_result(order), "fills": [order_fill(fill) for fill in fills]}


def order_placed(order: WireOrder, fills: Iterable[Fill], response_type: ResponseType) -> Row:
    """A new order's answer of ``response_type``."""
    if response_type is ResponseType.ACK:
        return order_ack(order)
    if response_type is ResponseType.RESULT:
        return order_result(order)
    return order_full(order, fills)


def order_query(order: Order) -> Row:
    """An order as ``GET /api/v3/order``, ``openOrders`` and ``allOrders`` show it."""
    created = epoch_ms(order.created_at)
    working = is_working(order)
    return {
        "symbol": order.market.symbol,
        "orderId": order.id,
        "orderListId": NO_ORDER_LIST,
        "clientOrderId": order.client_order_id,
        **_order_amounts(order),
        "stopPrice": _amount(order.stop_price),
        "icebergQty": binance_amount(ZERO),
        "time": created,
        "updateTime": epoch_ms(order.updated_at),
        "isWorking": working,
        "workingTime": created if working else NOT_WORKING,
        "selfTradePreventionMode": order.self_trade_prevention,
    }


def order_canceled(order: Order, *, cancel_client_order_id: str, transact_ms: int) -> Row:
    """A canceled order as ``DELETE /api/v3/order`` answers it; ``clientOrderId`` is the
    cancel's own id, ``origClientOrderId`` the order's."""
    return {
        "symbol": order.market.symbol,
        "origClientOrderId": order.client_order_id,
        "orderId": order.id,
        "orderListId": NO_ORDER_LIST,
        "clientOrderId": cancel_client_order_id,
        "transactTime": transact_ms,
        **_order_amounts(order),
        **_stop_price(order),
        "selfTradePreventionMode": order.self_trade_prevention,
    }


def my_trade(fill: Fill) -> Row:
    """One of the user's fills as a ``myTrades`` entry."""
    return {
        "symbol": fill.market.symbol,
        "id": fill.trade_id,
        "orderId": fill.order_id,
        "orderListId": NO_ORDER_LIST,
        "price": binance_amount(fill.price),
        "qty": binance_amount(fill.quantity),
        "quoteQty": binance_amount(fill.quote_quantity),
        "commission": binance_amount(fill.fee),
        "commissionAsset": fill.fee_asset.code,
        "time": epoch_ms(fill.executed_at),
        "isBuyer": fill.side == Side.BUY,
        "isMaker": fill.liquidity == Liquidity.MAKER,
        "isBestMatch": True,
    }


def balance(held: Balance) -> Row:
    """One asset the user holds, as an ``account`` balance."""
    return {
        "asset": held.asset.code,
        "free": binance_amount(held.free),
        "locked": binance_amount(held.locked),
    }


def commission_rates(maker: Decimal, taker: Decimal) -> Row:
    """Maker, taker, buyer and seller rates (Paperex has no buyer or seller extra)."""
    return {
        "maker": binance_amount(maker),
        "taker": binance_amount(taker),
        "buyer": binance_amount(ZERO),
        "seller": binance_amount(ZERO),
    }


def account(
    *,
    user_id: int,
    balances: Iterable[Balance],
    maker: Decimal,
    taker: Decimal,
    update_ms: int,
) -> Row:
    """The ``account`` answer: the user's balances and the account's fee rates."""
    return {
        "makerCommission": int(maker / BASIS_POINT),
        "takerCommission": int(taker / BASIS_POINT),
        "buyerCommission": 0,
        "sellerCommission": 0,
        "commissionRates": commission_rates(maker, taker),
        "canTrade": True,
        "canWithdraw": False,
        "canDeposit": False,
        "brokered": False,
        "requireSelfTradePrevention": False,
        "preventSor": False,
        "updateTime": update_ms,
        "accountType": "SPOT",
        "balances": [balance(held) for held in balances],
        "permissions": ["SPOT"],
        "uid": user_id,
    }


def _no_discount() -> Row:
    return {
        "enabledForAccount": False,
        "enabledForSymbol": False,
        "discountAsset": DISCOUNT_ASSET,
        "discount": binance_amount(ZERO),
    }


def account_commission(market: Market) -> Row:
    """``account/commission`` of one market: its rates as standard, no special, tax or
    discount."""
    zero = commission_rates(ZERO, ZERO)
    return {
        "symbol": market.symbol,
        "standardCommission": commission_rates(market.maker_fee_rate, market.taker_fee_rate),
        "specialCommission": zero,
        "taxCommission": zero,
        "discount": _no_discount(),
    }


def _maker_taker(maker: Decimal, taker: Decimal) -> Row:
    return {"maker": binance_amount(maker), "taker": binance_amount(taker)}


def order_test_commission(market: Market) -> Row:
    """``order/test`` with ``computeCommissionRates``: the rates the order would pay."""
    return {
        "standardCommissionForOrder": _maker_taker(market.maker_fee_rate, market.taker_fee_rate),
        "specialCommissionForOrder": _maker_taker(ZERO, ZERO),
        "taxCommissionForOrder": _maker_taker(ZERO, ZERO),
        "discount": _no_discount(),
    }


def cancel_replace_data(
    canceled: Row | dict[str, object], placed: Row | dict[str, object] | None
) -> Row:
    """The body of an ``order/cancelReplace`` (or its error's ``data``): each part's result and
    answer (a part that failed shows its ``{"code", "msg"}``, one not attempted None)."""

    def result(part: Row | dict[str, object] | None) -> str:
        if part is None:
            return "NOT_ATTEMPTED"
        return "FAILURE" if "code" in part else "SUCCESS"

    return {
        "cancelResult": result(canceled),
        "newOrderResult": result(placed),
        "cancelResponse": canceled,
        "newOrderResponse": placed,
    }
