"""The facade's writes, each a call of Paperex's order service (never a second engine): place,
check without placing (``order/test``), cancel one, cancel all. Each returns the stored orders
as the service committed them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from asgiref.sync import async_to_sync

from paperex.apps.binance.errors import (
    DUPLICATE_ORDER,
    MARKET_CLOSED,
    order_rejected,
    timeout_unknown_outcome,
    unknown_order_sent,
)
from paperex.apps.binance.order_parameters import NewOrder, OrderReference
from paperex.apps.binance.trading_reads import order_referenced, orders_by_ids
from paperex.apps.binance.weights import order_counted
from paperex.apps.markets.models import Market
from paperex.apps.trading.models import Order
from paperex.apps.trading.schemas import OrderView
from paperex.apps.trading.selectors.markets import order_entry_market
from paperex.apps.trading.selectors.orders import order_get
from paperex.apps.trading.services.orders import (
    OrderRefusedError,
    order_cancel,
    order_place,
    orders_cancel_all,
)
from paperex.domain.events import OrderRejected
from paperex.engine import place_order_from_decimals
from paperex.support.clock import wall_clock_ms


async def order_new_placed(
    *, user_id: int, new_order: NewOrder, api_key_id: int | None = None
) -> OrderView:
    """Place the order and return it as the engine stored it (its reply); with ``api_key_id``
    only while that key is active (else ApiKeyRefusedError).

    A client order id the user has used before is -2010 "Duplicate order sent." (Paperex keeps
    client order ids unique for good, Binance among open orders). Raises BinanceError and the
    service's PaperexErrors (the facade words them)."""
    placement = await order_place(
        user_id=user_id,
        symbol=new_order.symbol,
        api_key_id=api_key_id,
        **new_order.order_fields(),
    )
    if not placement.created:
        raise order_rejected(DUPLICATE_ORDER)
    order_counted(user_id)
    return placement.order


def order_new_place(*, user_id: int, new_order: NewOrder) -> Order:
    """Place the order (``order_new_placed``) and return it as stored (with its fills made on
    arrival)."""
    placed = async_to_sync(order_new_placed)(user_id=user_id, new_order=new_order)
    return order_get(user_id=user_id, order_id=placed.id)


@dataclass(frozen=True, slots=True)
class MarketName:
    """A market known by its symbol alone."""

    symbol: str


@dataclass(slots=True)
class PlacedOrder:
    """A new order as the engine's reply tells it, under the names of ``Order``'s fields
    (``trading_wire.WireOrder``), its amounts the reply's text: for the answers that need no
    more than the reply holds (not ``triggered``, False, nor the fills), without the cost of
    building a model or a Decimal, which was most of the order lane's answer."""

    market: MarketName
    id: int
    client_order_id: str
    side: str
    type: str
    time_in_force: str
    price: str | None
    stop_price: str | None
    quantity: str
    quote_amount: str | None
    executed_quantity: str
    cumulative_quote: str
    status: str
    status_reason: str
    self_trade_prevention: str
    created_at: datetime
    triggered: bool = False

    @classmethod
    def of(cls, view: OrderView) -> PlacedOrder:
        return cls(
            market=MarketName(view.symbol),
            id=view.id,
            client_order_id=view.client_order_id,
            side=view.side,
            type=view.type,
            time_in_force=view.time_in_force,
            price=view.price,
            stop_price=view.stop_price,
            quantity=view.quantity,
            quote_amount=view.quote_order_qty,
            executed_quantity=view.executed_quantity,
            cumulative_quote=view.cumulative_quote,
            status=view.status,
            status_reason=view.status_reason,
            self_trade_prevention=view.self_trade_prevention,
            created_at=datetime.fromisoformat(view.created_at),
        )


def order_new_check(*, user_id: int, new_order: NewOrder) -> None:
    """What ``order/test`` checks: the market trades and the order passes its filters (the
    checks made before the matching engine; balances are not checked, as on Binance).
    Raises BinanceError or OrderRefusedError."""
    market = async_to_sync(order_entry_market)(symbol=new_order.symbol)
    if market is None or not market.trading:
        raise order_rejected(MARKET_CLOSED)
    command = place_order_from_decimals(
        market.spec.instrument,
        market.quote,
        timestamp=wall_clock_ms(),
        user_id=user_id,
        **new_order.order_fields(),
    )
    if isinstance(command, OrderRejected):
        raise OrderRefusedError(command.reason, command.message)


def order_cancel_referenced(*, user_id: int, market: Market, reference: OrderReference) -> Order:
    """Cancel the user's open order that ``reference`` names and return it canceled; raises
    -2011 for an order that does not exist (or is another user's) or is no longer open."""
    try:
        order = order_referenced(user_id=user_id, market=market, reference=reference)
    except Order.DoesNotExist as missing:
        raise unknown_order_sent() from missing
    order_cancel(user_id=user_id, order_id=order.id, symbol=market.symbol)
    order.refresh_from_db()
    return order


def open_orders_cancel(*, user_id: int, market: Market) -> list[Order]:
    """Cancel every open order of the user in ``market`` and return them canceled; raises
    -2011 when there was none, -1007 when the engine did not finish in time (the cancel still
    runs to the end)."""
    canceled = orders_cancel_all(user_id=user_id, symbol=market.symbol)
    if canceled is None:
        raise timeout_unknown_outcome()
    if not canceled:
        raise unknown_order_sent()
    return orders_by_ids(user_id=user_id, order_ids=[order.id for order in canceled])
