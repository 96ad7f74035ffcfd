"""Placing and cancelling orders: every write is an engine command, answered after commit."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from asgiref.sync import sync_to_async

from paperex.apps.core.errors import ErrorCode, PaperexError
from paperex.apps.core.limits import count_or_refuse
from paperex.apps.core.metrics import orders_accepted, orders_rejected
from paperex.apps.trading.gateway.gateway import engine_gateway
from paperex.apps.trading.protocol import EngineOutcomeUnknownError
from paperex.apps.trading.schemas import OrderView
from paperex.apps.trading.selectors.markets import order_entry_market
from paperex.apps.trading.selectors.orders import order_view_get
from paperex.apps.trading.services.order_request import OrderPlaceSerializer
from paperex.domain import OrderType, RejectReason, SelfTradePrevention, Side, TimeInForce
from paperex.domain.commands import CancelAllOrders, CancelOrder
from paperex.domain.events import OrderRejected
from paperex.engine import place_order_from_decimals
from paperex.support.clock import wall_clock_ms
from paperex.support.unique_ids import ProcessIds


class OrderRefusedError(PaperexError):
    """The order or cancel was refused; ``code`` is the engine's reason (e.g. PRICE_FILTER)."""

    def __init__(self, code: ErrorCode | RejectReason, message: str) -> None:
        super().__init__(code, message)


class OrderOutcomeUnknownError(EngineOutcomeUnknownError):
    """A placement or cancel was sent but not answered in time: a 503 whose body adds
    ``"status": "unknown"`` and names the order (``client_order_id``, or ``order_id``)."""

    def __init__(self, message: str, **order: str | int) -> None:
        super().__init__(message)
        self.details = {"status": "unknown", **order}


class ApiKeyRefusedError(PaperexError):
    """The order was signed with an API key that was revoked (or is not the user's) by the time
    the engine took it: it did not run (HTTP 401)."""

    status = 401

    def __init__(self) -> None:
        super().__init__(ErrorCode.API_KEY_REFUSED, "The API key is not active.")


PLACEMENT_UNKNOWN = (
    "The order was sent but the engine did not answer in time, so it may or may not be placed. "
    "Send it again with the same client_order_id (it is never placed twice), or look it up: "
    "GET /api/orders/lookup/?client_order_id={client_order_id}"
)
CANCEL_UNKNOWN = (
    "The cancel was sent but the engine did not answer in time, so the order may or may not be "
    "canceled. Look it up (GET /api/orders/{order_id}/) or cancel it again."
)


_CLIENT_ORDER_IDS = ProcessIds(tag_bytes=6)


def new_client_order_id() -> str:
    """A client order id for an order sent without one (as Binance generates newClientOrderId),
    so that an order whose outcome is unknown has a name to look it up and retry by.

    Unique without asking the database: a random tag per process (48 bits) and a counter. The
    ids of one process ascend, so storing them extends the unique index at its end instead of
    splitting pages at random places (measurably faster order entry than random ids)."""
    return f"paperex-{_CLIENT_ORDER_IDS.next_id(width=12)}"


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
    api_key_id: int | None = None,
) -> OrderPlacement:
    """Place an order and return it once the engine has stored it; without a
    ``client_order_id`` it gets a new one (``new_client_order_id``). With ``api_key_id`` (the
    key that signed it, verified from memory) the engine places it only if that key is still
    active and the user's, else ApiKeyRefusedError.

    Raises RateLimitedError (the user's order rate is reached), OrderRefusedError (unknown or
    halted market, a filter, insufficient balance, ...; MarketNotReadyError while the market
    waits for its reference market), EngineUnavailableError (not placed) and
    OrderOutcomeUnknownError (maybe placed).
    """
    count_or_refuse("orders", user_id)
    market = await order_entry_market(symbol=symbol)
    if market is None or not market.trading:
        raise OrderRefusedError(ErrorCode.UNKNOWN_SYMBOL, f"Unknown or halted market {symbol!r}.")
    made_client_order_id = client_order_id is None
    if client_order_id is None:
        client_order_id = new_client_order_id()
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
        orders_rejected.inc()
        raise OrderRefusedError(command.reason, command.message)
    try:
        reply = await engine_gateway.execute(
            command, new_client_order_id=made_client_order_id, api_key_id=api_key_id
        )
    except EngineOutcomeUnknownError as unknown:
        message = PLACEMENT_UNKNOWN.format(client_order_id=client_order_id)
        raise OrderOutcomeUnknownError(message, client_order_id=client_order_id) from unknown
    if reply.key_refused:
        raise ApiKeyRefusedError
    if reply.rejection_reason:
        orders_rejected.inc()
        raise _engine_refusal(reply.rejection_reason, reply.rejection_message)
    if reply.duplicate_of is not None:
        existing = await sync_to_async(order_view_get)(user_id=user_id, order_id=reply.duplicate_of)
        return OrderPlacement(order=existing, created=False)
    orders_accepted.inc()
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
    """Cancel one of the user's open orders and return it; OrderRefusedError when not open,
    EngineUnavailableError (not canceled), OrderOutcomeUnknownError (maybe canceled)."""
    command = CancelOrder(
        timestamp=wall_clock_ms(), user_id=user_id, symbol=symbol, order_id=order_id
    )
    try:
        reply = engine_gateway.execute_sync(command)
    except EngineOutcomeUnknownError as unknown:
        message = CANCEL_UNKNOWN.format(order_id=order_id)
        raise OrderOutcomeUnknownError(message, order_id=order_id) from unknown
    if reply.rejection_reason:
        raise OrderRefusedError(
            ErrorCode.ORDER_NOT_OPEN,
            "The order is no longer open (filled, canceled or expired).",
        )
    return reply.orders[0]


def orders_cancel_all(*, user_id: int, symbol: str | None = None) -> list[OrderView] | None:
    """Cancel every open order of the user (in one market, or all); returns the canceled, or
    None when the engine has not finished within the timeout: the cancel is never dropped and
    runs to the end. Raises EngineUnavailableError when it could not be sent."""
    reply = engine_gateway.execute_or_accept_sync(
        CancelAllOrders(timestamp=wall_clock_ms(), user_id=user_id, symbol=symbol)
    )
    return None if reply is None else reply.orders
