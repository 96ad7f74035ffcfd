"""Placing and cancelling orders: every write is an engine command, answered after commit."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from asgiref.sync import sync_to_async

from paperex.apps.core.errors import ErrorCode, PaperexError
from paperex.apps.trading.gateway.gateway import engine_gateway
from paperex.apps.trading.schemas import OrderView
from paperex.apps.trading.selectors.markets import order_entry_market
from paperex.apps.trading.selectors.orders import order_view_get
from paperex.apps.trading.services.order_request import OrderPlaceSerializer
from paperex.domain import OrderType, RejectReason, SelfTradePrevention, Side, TimeInForce
from paperex.domain.commands import CancelAllOrders, CancelOrder
from paperex.domain.events import OrderRejected
from paperex.engine import place_order_from_decimals
from paperex.support.clock import wall_clock_ms


class OrderRefusedError(PaperexError):
    """The order or cancel was refused; ``code`` is the engine's reason (e.g. PRICE_FILTER)."""

    def __init__(self, code: ErrorCode | RejectReason, message: str) -> None:
        super().__init__(code, message)


class MarketNotReadyError(OrderRefusedError):
    """MARKET_NOT_READY: the market waits for its reference market since the engine started,
    and the same order passes once it is in: HTTP 503 with ``Retry-After``."""

    status = 503
    retry_after = 1


def _engine_refusal(reason: str, message: str | None) -> OrderRefusedError:
    """The error for an engine's refusal of an order."""
    code = RejectReason(reason)
    error = MarketNotReadyError if code is RejectReason.MARKET_NOT_READY else OrderRefusedError
    return error(code, message or "")


@dataclass(frozen=True)
class OrderPlacement:
    """The placed order; ``created`` is False for a retry with a used client order id."""

    order: OrderView
    created: bool


async def order_place(
    *,
    user_id: int,
    symbol: str,
    side: Side,
    order_type: OrderType,
    time_in_force: TimeInForce,
    quantity: Decimal | None = None,
    price: Decimal | None = None,
    stop_price: Decimal | None = None,
    quote_amount: Decimal | None = None,
    client_order_id: str | None = None,
    self_trade_prevention: SelfTradePrevention | None = None,
) -> OrderPlacement:
    """Place an order and return it once the engine has stored it.

    Raises OrderRefusedError (unknown or halted market, a filter, insufficient balance, ...;
    MarketNotReadyError while the market waits for its reference market) and
    EngineUnavailableError.
    """
    market = await order_entry_market(symbol=symbol)
    if market is None or not market.trading:
        raise OrderRefusedError(ErrorCode.UNKNOWN_SYMBOL, f"Unknown or halted market {symbol!r}.")
    command = place_order_from_decimals(
        market.spec.instrument,
        market.quote,
        timestamp=wall_clock_ms(),
        user_id=user_id,
        side=side,
        order_type=order_type,
        time_in_force=time_in_force,
        quantity=quantity,
        price=price,
        stop_price=stop_price,
        quote_amount=quote_amount,
        client_order_id=client_order_id,
        self_trade_prevention=self_trade_prevention,
    )
    if isinstance(command, OrderRejected):
        raise OrderRefusedError(command.reason, command.message)
    reply = await engine_gateway.execute(command)
    if reply.rejection_reason:
        raise _engine_refusal(reply.rejection_reason, reply.rejection_message)
    if reply.duplicate_of is not None:
        existing = await sync_to_async(order_view_get)(user_id=user_id, order_id=reply.duplicate_of)
        return OrderPlacement(order=existing, created=False)
    return OrderPlacement(order=reply.orders[0], created=True)


async def order_place_from_request(*, user_id: int, data: Any) -> OrderPlacement:
    """Validate an order request body (``OrderPlaceSerializer``) and place the order.

    Raises rest_framework's ValidationError, OrderRefusedError and EngineUnavailableError.
    """
    serializer = OrderPlaceSerializer(data=data)
    serializer.is_valid(raise_exception=True)
    return await order_place_from_values(user_id=user_id, values=serializer.validated_data)


async def order_place_from_values(*, user_id: int, values: dict[str, Any]) -> OrderPlacement:
    """Place an order from validated values (the serializer's ``validated_data``)."""
    self_trade_prevention = values.get("self_trade_prevention")
    return await order_place(
        user_id=user_id,
        symbol=values["symbol"],
        side=Side(values["side"]),
        order_type=OrderType(values["type"]),
        time_in_force=TimeInForce(values["time_in_force"]),
        quantity=values.get("quantity"),
        price=values.get("price"),
        stop_price=values.get("stop_price"),
        quote_amount=values.get("quote_order_qty"),
        client_order_id=values.get("client_order_id"),
        self_trade_prevention=(
            None if self_trade_prevention is None else SelfTradePrevention(self_trade_prevention)
        ),
    )


def order_cancel(*, user_id: int, order_id: int, symbol: str) -> OrderView:
    """Cancel one of the user's open orders and return it; OrderRefusedError when not open."""
    reply = engine_gateway.execute_sync(
        CancelOrder(timestamp=wall_clock_ms(), user_id=user_id, symbol=symbol, order_id=order_id)
    )
    if reply.rejection_reason:
        raise OrderRefusedError(
            ErrorCode.ORDER_NOT_OPEN,
            "The order is no longer open (filled, canceled or expired).",
        )
    return reply.orders[0]


def orders_cancel_all(*, user_id: int, symbol: str | None = None) -> list[OrderView]:
    """Cancel every open order of the user (in one market, or all); returns the canceled."""
    reply = engine_gateway.execute_sync(
        CancelAllOrders(timestamp=wall_clock_ms(), user_id=user_id, symbol=symbol)
    )
    return reply.orders
