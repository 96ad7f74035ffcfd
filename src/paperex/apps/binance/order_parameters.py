"""The parameters of Binance's order requests read the way Binance reads them: each order
type's mandatory parameters (-1102), none it does not take (-1106), Binance's enums (-1115,
-1116, -1117) and legal patterns (-1100)."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

import msgspec

from paperex.apps.binance.errors import (
    LEGAL_CLIENT_ORDER_ID,
    BinanceError,
    illegal_characters,
    invalid_order_type,
    invalid_parameter_value,
    invalid_side,
    invalid_time_in_force,
    mandatory_parameter_missing,
    one_of_parameters_missing,
    parameter_not_required,
)
from paperex.apps.binance.parameters import QueryReader
from paperex.apps.binance.trading_wire import ResponseType, default_response_type
from paperex.domain import OrderType, SelfTradePrevention, Side, TimeInForce

CLIENT_ORDER_ID_PATTERN = re.compile(LEGAL_CLIENT_ORDER_ID)
LIMIT_PARAMETERS = ("timeInForce", "quantity", "price")
STOP_PARAMETERS = ("quantity", "stopPrice")
MANDATORY = {
    OrderType.LIMIT: LIMIT_PARAMETERS,
    OrderType.LIMIT_MAKER: ("quantity", "price"),
    OrderType.MARKET: (),
    OrderType.STOP_LOSS: STOP_PARAMETERS,
    OrderType.TAKE_PROFIT: STOP_PARAMETERS,
    OrderType.STOP_LOSS_LIMIT: (*LIMIT_PARAMETERS, "stopPrice"),
    OrderType.TAKE_PROFIT_LIMIT: (*LIMIT_PARAMETERS, "stopPrice"),
}
"""Each order type's mandatory parameters (reference §3.1); MARKET needs one of
``quantity`` and ``quoteOrderQty``."""
ORDER_AMOUNTS = ("timeInForce", "quantity", "quoteOrderQty", "price", "stopPrice")
"""The parameters whose presence depends on the order type."""
MARKET_TAKES = ("quantity", "quoteOrderQty")
Member = TypeVar("Member", Side, OrderType, TimeInForce, SelfTradePrevention, ResponseType)


class NewOrder(msgspec.Struct, frozen=True, kw_only=True):
    """A new order as its request asks for it (a Struct: every signed order builds one, and a
    frozen dataclass costs a microsecond more to build)."""

    symbol: str
    side: Side
    order_type: OrderType
    time_in_force: TimeInForce
    quantity: Decimal | None
    price: Decimal | None
    stop_price: Decimal | None
    quote_amount: Decimal | None
    client_order_id: str | None
    self_trade_prevention: SelfTradePrevention | None
    response_type: ResponseType

    def order_fields(self) -> dict[str, Any]:
        """The order's fields as the order service and the engine's command builder take them."""
        return {
            "side": self.side,
            "order_type": self.order_type,
            "time_in_force": self.time_in_force,
            "quantity": self.quantity,
            "price": self.price,
            "stop_price": self.stop_price,
            "quote_amount": self.quote_amount,
            "client_order_id": self.client_order_id,
            "self_trade_prevention": self.self_trade_prevention,
        }


ENUM_MEMBERS: dict[type, dict[str, Any]] = {
    kind: {member.value: member for member in kind}
    for kind in (Side, OrderType, TimeInForce, SelfTradePrevention, ResponseType)
}
"""Each enum's members by value: a dict lookup costs less than calling the enum, and every
order reads four."""


def _member(kind: type[Member], value: str, error: Callable[[], BinanceError]) -> Member:
    member: Member | None = ENUM_MEMBERS[kind].get(value)
    if member is None:
        raise error()
    return member


def order_type_read(parameters: QueryReader) -> OrderType:
    """``type``; raises -1102 when not sent, -1116 for an unknown type."""
    return _member(OrderType, parameters.required_text("type"), invalid_order_type)


def side_read(parameters: QueryReader) -> Side:
    """``side``; raises -1102 when not sent, -1117 for anything but BUY and SELL."""
    return _member(Side, parameters.required_text("side"), invalid_side)


def client_order_id_read(parameters: QueryReader, name: str) -> str | None:
    """A client order id parameter, or None; raises -1100 outside Binance's pattern."""
    value = parameters.text(name)
    if value is not None and not CLIENT_ORDER_ID_PATTERN.match(value):
        raise illegal_characters(name, LEGAL_CLIENT_ORDER_ID)
    return value


def amounts_check(parameters: QueryReader, order_type: OrderType) -> None:
    """Raises -1102 for a mandatory parameter of ``order_type`` not sent and -1106 for one it
    does not take."""
    sent = {name for name in ORDER_AMOUNTS if parameters.text(name) is not None}
    mandatory = MANDATORY[order_type]
    for name in mandatory:
        if name not in sent:
            raise mandatory_parameter_missing(name)
    takes = MARKET_TAKES if order_type is OrderType.MARKET else mandatory
    for name in ORDER_AMOUNTS:
        if name in sent and name not in takes:
            raise parameter_not_required(name)
    if order_type is OrderType.MARKET:
        if not sent:
            raise one_of_parameters_missing("quantity", "quoteOrderQty")
        if len(sent) > 1:
            raise parameter_not_required("quoteOrderQty")


def time_in_force_read(parameters: QueryReader) -> TimeInForce:
    """``timeInForce`` (GTC when the type takes none); raises -1115 for an unknown one."""
    value = parameters.text("timeInForce")
    if value is None:
        return TimeInForce.GTC
    return _member(TimeInForce, value, invalid_time_in_force)


def new_order_read(parameters: QueryReader) -> NewOrder:
    """The new order a ``POST /api/v3/order`` (or ``order/test``) asks for; raises
    BinanceError for a malformed request."""
    symbol = parameters.required_symbol()
    side = side_read(parameters)
    order_type = order_type_read(parameters)
    amounts_check(parameters, order_type)
    response_type = parameters.text("newOrderRespType")
    self_trade_prevention = parameters.text("selfTradePreventionMode")
    return NewOrder(
        symbol=symbol,
        side=side,
        order_type=order_type,
        time_in_force=time_in_force_read(parameters),
        quantity=parameters.decimal("quantity"),
        price=parameters.decimal("price"),
        stop_price=parameters.decimal("stopPrice"),
        quote_amount=parameters.decimal("quoteOrderQty"),
        client_order_id=client_order_id_read(parameters, "newClientOrderId"),
        self_trade_prevention=(
            None
            if self_trade_prevention is None
            else _member(
                SelfTradePrevention,
                self_trade_prevention,
                functools.partial(invalid_parameter_value, "selfTradePreventionMode"),
            )
        ),
        response_type=(
            default_response_type(order_type)
            if response_type is None
            else _member(
                ResponseType,
                response_type,
                functools.partial(invalid_parameter_value, "newOrderRespType"),
            )
        ),
    )


@dataclass(frozen=True)
class OrderReference:
    """Which order a query or cancel names: by ``orderId``, ``origClientOrderId`` or both."""

    order_id: int | None
    client_order_id: str | None


def order_reference_read(
    parameters: QueryReader,
    *,
    id_name: str = "orderId",
    client_id_name: str = "origClientOrderId",
) -> OrderReference:
    """``orderId`` and/or ``origClientOrderId`` (or the names given: ``cancelOrderId`` ...);
    raises -1102 when neither was sent."""
    reference = OrderReference(
        order_id=parameters.integer(id_name),
        client_order_id=client_order_id_read(parameters, client_id_name),
    )
    if reference.order_id is None and reference.client_order_id is None:
        raise one_of_parameters_missing(client_id_name, id_name)
    return reference


CANCEL_REPLACE_MODES = ("STOP_ON_FAILURE", "ALLOW_FAILURE")


def allow_failure_read(parameters: QueryReader) -> bool:
    """``cancelReplaceMode``: whether the new order is placed even when the cancel fails
    (ALLOW_FAILURE); raises -1102 when not sent, -1130 for another mode."""
    mode = parameters.required_text("cancelReplaceMode")
    if mode not in CANCEL_REPLACE_MODES:
        raise invalid_parameter_value("cancelReplaceMode")
    return mode == "ALLOW_FAILURE"


TIME_WINDOW_MS = 24 * 3_600_000
"""The longest ``startTime``-``endTime`` window of ``allOrders`` and ``myTrades``."""


@dataclass(frozen=True)
class TimeWindow:
    """``startTime`` and ``endTime`` (ms), either may be absent."""

    start_ms: int | None
    end_ms: int | None


def time_window_read(parameters: QueryReader) -> TimeWindow:
    """``startTime`` and ``endTime``; raises -1127 when they are more than 24 hours apart."""
    window = TimeWindow(parameters.integer("startTime"), parameters.integer("endTime"))
    start, end = window.start_ms, window.end_ms
    if start is not None and end is not None and end - start > TIME_WINDOW_MS:
        raise BinanceError(-1127, "More than 24 hours between startTime and endTime.")
    return window


def flag_read(parameters: QueryReader, name: str) -> bool:
    """A true/false parameter (False when not sent); raises -1130 for anything else."""
    value = parameters.text(name)
    if value is None:
        return False
    if value.lower() not in ("true", "false"):
        raise invalid_parameter_value(name)
    return value.lower() == "true"
