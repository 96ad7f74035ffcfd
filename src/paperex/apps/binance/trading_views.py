"""``/api/v3`` trading and account endpoints (signed): each reads its parameters, calls the
facade's actions (Paperex's order service) or reads, and shapes the answer with
``trading_wire``. An endpoint that changes something checks that every parameter sent was read
(-1104) before it acts."""

from __future__ import annotations

from decimal import Decimal

from asgiref.sync import async_to_sync

from paperex.apps.binance import trading_wire
from paperex.apps.binance.cancel_replace import cancel_replace_answer, order_cancel_replace
from paperex.apps.binance.endpoint import Answer
from paperex.apps.binance.errors import client_order_id_invalid, order_does_not_exist
from paperex.apps.binance.order_actions import (
    PlacedOrder,
    open_orders_cancel,
    order_cancel_referenced,
    order_new_check,
    order_new_placed,
)
from paperex.apps.binance.order_parameters import (
    NewOrder,
    allow_failure_read,
    client_order_id_read,
    flag_read,
    new_order_read,
    order_reference_read,
    time_window_read,
)
from paperex.apps.binance.parameters import QueryReader
from paperex.apps.binance.signed import signed, signed_view
from paperex.apps.binance.trading_reads import (
    account_balances,
    account_fee_rates,
    account_update_ms,
    open_orders,
    order_exists,
    order_fills,
    order_referenced,
    order_window,
    trade_window,
)
from paperex.apps.binance.trading_wire import ResponseType
from paperex.apps.binance.views import market_of, symbol_check
from paperex.apps.trading.models import Order
from paperex.apps.trading.schemas import OrderView
from paperex.apps.trading.selectors.orders import order_get
from paperex.apps.trading.services.orders import new_client_order_id
from paperex.support.clock import wall_clock_ms


def order_new_checked(parameters: QueryReader) -> NewOrder:
    """A new order's parameters, all read, for a market that exists (-1121)."""
    new_order = new_order_read(parameters)
    symbol_check(new_order.symbol)
    parameters.ensure_all_read()
    return new_order


def reply_answers(placed: OrderView, response_type: ResponseType) -> bool:
    """Whether the engine's reply holds all that the answer to the new order shows: not the
    fills of an order that executed something (FULL), nor whether a stop order has triggered
    (its working time: RESULT, FULL)."""
    return response_type is ResponseType.ACK or not (
        placed.type in trading_wire.STOP_TYPES
        or (response_type is ResponseType.FULL and Decimal(placed.executed_quantity) != 0)
    )


def order_reply_answer(placed: OrderView, response_type: ResponseType) -> Answer | None:
    """The answer to a new order from the engine's reply, when it holds enough
    (``reply_answers``: FULL only for an order that has no fills); else None."""
    if not reply_answers(placed, response_type):
        return None
    return Answer(trading_wire.order_placed(PlacedOrder.of(placed), (), response_type), 1)


def order_new_answer(*, user_id: int, placed: OrderView, response_type: ResponseType) -> Answer:
    """The answer to a new order: from the engine's reply when it holds enough
    (``order_reply_answer``), else from the order read back as stored (with its fills on
    arrival)."""
    answer = order_reply_answer(placed, response_type)
    if answer is not None:
        return answer
    order = order_get(user_id=user_id, order_id=placed.id)
    return Answer(trading_wire.order_placed(order, order_fills(order), response_type), 1)


@signed(weight=1, places_orders=True)
def order_new(parameters: QueryReader, user_id: int) -> Answer:
    """``POST /api/v3/order``: ``order_new_checked``, ``order_new_placed``,
    ``order_new_answer`` (the ASGI order lane runs the same steps around its awaits)."""
    new_order = order_new_checked(parameters)
    placed = async_to_sync(order_new_placed)(user_id=user_id, new_order=new_order)
    return order_new_answer(user_id=user_id, placed=placed, response_type=new_order.response_type)


@signed(weight=1)
def order_test(parameters: QueryReader, user_id: int) -> Answer:
    """``POST /api/v3/order/test``: checks the order, places nothing."""
    compute_rates = flag_read(parameters, "computeCommissionRates")
    new_order = new_order_read(parameters)
    market = market_of(new_order.symbol)
    parameters.ensure_all_read()
    order_new_check(user_id=user_id, new_order=new_order)
    if compute_rates:
        return Answer(trading_wire.order_test_commission(market), 20)
    return Answer({}, 1)


@signed(weight=4)
def order_query(parameters: QueryReader, user_id: int) -> Answer:
    """``GET /api/v3/order``: by ``orderId`` or ``origClientOrderId``; with both, the order of
    ``orderId`` (-2013 when there is none) must have that client order id (else -2039)."""
    market = market_of(parameters.required_symbol())
    reference = order_reference_read(parameters)
    try:
        order = order_referenced(user_id=user_id, market=market, reference=reference)
    except Order.DoesNotExist as missing:
        if (
            reference.order_id is not None
            and reference.client_order_id is not None
            and order_exists(user_id=user_id, market=market, order_id=reference.order_id)
        ):
            raise client_order_id_invalid() from missing
        raise order_does_not_exist() from missing
    return Answer(trading_wire.order_query(order), 4)


@signed(weight=1)
def order_cancel(parameters: QueryReader, user_id: int) -> Answer:
    """``DELETE /api/v3/order`` (parameters in the query or the body)."""
    market = market_of(parameters.required_symbol())
    reference = order_reference_read(parameters)
    cancel_id = client_order_id_read(parameters, "newClientOrderId") or new_client_order_id()
    parameters.ensure_all_read()
    order = order_cancel_referenced(user_id=user_id, market=market, reference=reference)
    body = trading_wire.order_canceled(
        order, cancel_client_order_id=cancel_id, transact_ms=wall_clock_ms()
    )
    return Answer(body, 1)


@signed(weight=1, places_orders=True)
def order_cancel_replace_new(parameters: QueryReader, user_id: int) -> Answer:
    """``POST /api/v3/order/cancelReplace``: cancel an order and place a new one."""
    allow_failure = allow_failure_read(parameters)
    reference = order_reference_read(
        parameters, id_name="cancelOrderId", client_id_name="cancelOrigClientOrderId"
    )
    cancel_id = client_order_id_read(parameters, "cancelNewClientOrderId") or new_client_order_id()
    new_order = new_order_read(parameters)
    market = market_of(new_order.symbol)
    parameters.ensure_all_read()
    outcome = order_cancel_replace(
        user_id=user_id,
        market=market,
        reference=reference,
        new_order=new_order,
        allow_failure=allow_failure,
    )
    body = cancel_replace_answer(
        outcome, cancel_client_order_id=cancel_id, response_type=new_order.response_type
    )
    return Answer(body, 1)


@signed(weight=6)
def open_orders_list(parameters: QueryReader, user_id: int) -> Answer:
    """``GET /api/v3/openOrders``: in one market (weight 6), or all (80)."""
    symbol = parameters.symbol()
    market = None if symbol is None else market_of(symbol)
    orders = open_orders(user_id=user_id, market=market)
    return Answer([trading_wire.order_query(order) for order in orders], 6 if market else 80)


@signed(weight=1)
def open_orders_cancel_all(parameters: QueryReader, user_id: int) -> Answer:
    """``DELETE /api/v3/openOrders``: every open order of the user in ``symbol``."""
    market = market_of(parameters.required_symbol())
    parameters.ensure_all_read()
    now = wall_clock_ms()
    orders = open_orders_cancel(user_id=user_id, market=market)
    body = [
        trading_wire.order_canceled(
            order, cancel_client_order_id=new_client_order_id(), transact_ms=now
        )
        for order in orders
    ]
    return Answer(body, 1)


@signed(weight=20)
def all_orders(parameters: QueryReader, user_id: int) -> Answer:
    """``GET /api/v3/allOrders``."""
    market = market_of(parameters.required_symbol())
    orders = order_window(
        user_id=user_id,
        market=market,
        from_order_id=parameters.integer("orderId"),
        window=time_window_read(parameters),
        limit=parameters.limit(default=500, largest=1000),
    )
    return Answer([trading_wire.order_query(order) for order in orders], 20)


@signed(weight=20)
def my_trades(parameters: QueryReader, user_id: int) -> Answer:
    """``GET /api/v3/myTrades``: weight 5 with ``orderId``, else 20."""
    market = market_of(parameters.required_symbol())
    order_id = parameters.integer("orderId")
    fills = trade_window(
        user_id=user_id,
        market=market,
        order_id=order_id,
        from_trade_id=parameters.integer("fromId"),
        window=time_window_read(parameters),
        limit=parameters.limit(default=500, largest=1000),
    )
    return Answer([trading_wire.my_trade(fill) for fill in fills], 20 if order_id is None else 5)


@signed(weight=20)
def account(parameters: QueryReader, user_id: int) -> Answer:
    """``GET /api/v3/account``, with ``omitZeroBalances``."""
    omit_zero = flag_read(parameters, "omitZeroBalances")
    maker, taker = account_fee_rates()
    body = trading_wire.account(
        user_id=user_id,
        balances=account_balances(user_id=user_id, omit_zero=omit_zero),
        maker=maker,
        taker=taker,
        update_ms=account_update_ms(user_id=user_id),
    )
    return Answer(body, 20)


@signed(weight=20)
def account_commission(parameters: QueryReader, user_id: int) -> Answer:
    """``GET /api/v3/account/commission?symbol=``."""
    market = market_of(parameters.required_symbol())
    return Answer(trading_wire.account_commission(market), 20)


order = signed_view(POST=order_new, GET=order_query, DELETE=order_cancel)
order_test_view = signed_view(POST=order_test)
order_cancel_replace_view = signed_view(POST=order_cancel_replace_new)
open_orders_view = signed_view(GET=open_orders_list, DELETE=open_orders_cancel_all)
all_orders_view = signed_view(GET=all_orders)
my_trades_view = signed_view(GET=my_trades)
account_view = signed_view(GET=account)
account_commission_view = signed_view(GET=account_commission)
