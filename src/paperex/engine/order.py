"""The engine's mutable working copy of an open order."""

from __future__ import annotations

from paperex.domain.orders import OrderType, SelfTradePrevention, TimeInForce
from paperex.domain.records import OpenOrder
from paperex.domain.side import Side
from paperex.engine.accounts import WorkingBalance
from paperex.engine.constants import BUY, NEW, STOP_TYPES


class WorkingOrder:
    """An order while the engine owns it. ``price`` is 0 for orders without a limit price.

    ``locked`` is what the order still holds in ``lock_balance`` (quote for buys, base for
    sells); fills spend from it and whatever is left goes back to free when the order ends.
    ``level`` is the book level the order rests in (``BookSide`` keeps it), so that leaving
    the level needs no lookup by price.
    """

    __slots__ = (
        "client_order_id",
        "created_at",
        "executed_quote",
        "filled",
        "is_buy",
        "is_resting",
        "is_stop",
        "level",
        "lock_balance",
        "locked",
        "order_id",
        "order_type",
        "price",
        "priority",
        "quantity",
        "queue_ahead",
        "quote_amount",
        "receive_balance",
        "remaining",
        "self_trade_prevention",
        "side",
        "status",
        "stop_price",
        "symbol",
        "time_in_force",
        "triggered",
        "user_id",
    )

    def __init__(
        self,
        *,
        order_id: int,
        user_id: int,
        symbol: str,
        client_order_id: str,
        side: Side,
        order_type: OrderType,
        time_in_force: TimeInForce,
        price: int,
        stop_price: int | None,
        quantity: int,
        quote_amount: int | None,
        self_trade_prevention: SelfTradePrevention,
        lock_balance: WorkingBalance,
        receive_balance: WorkingBalance,
        priority: int,
        created_at: int,
    ) -> None:
        self.order_id = order_id
        self.user_id = user_id
        self.symbol = symbol
        self.client_order_id = client_order_id
        self.side = side
        self.is_buy = side is BUY
        self.order_type = order_type
        self.is_stop = order_type in STOP_TYPES
        self.time_in_force = time_in_force
        self.price = price
        self.stop_price = stop_price
        self.quantity = quantity
        self.remaining = quantity
        self.filled = 0
        self.executed_quote = 0
        self.quote_amount = quote_amount
        self.self_trade_prevention = self_trade_prevention
        self.lock_balance = lock_balance
        self.receive_balance = receive_balance
        self.locked = 0
        self.priority = priority
        self.queue_ahead = 0
        self.triggered = False
        self.is_resting = False
        self.level: dict[WorkingOrder, None] | None = None
        self.status = NEW
        self.created_at = created_at

    def record(self) -> OpenOrder:
        """This order as an immutable, persistable record."""
        return OpenOrder(
            order_id=self.order_id,
            user_id=self.user_id,
            symbol=self.symbol,
            client_order_id=self.client_order_id,
            side=self.side,
            order_type=self.order_type,
            time_in_force=self.time_in_force,
            price=self.price or None,
            stop_price=self.stop_price,
            quantity=self.quantity,
            quote_amount=self.quote_amount,
            filled=self.filled,
            executed_quote=self.executed_quote,
            locked=self.locked,
            self_trade_prevention=self.self_trade_prevention,
            priority=self.priority,
            queue_ahead=self.queue_ahead,
            triggered=self.triggered,
            status=self.status,
            created_at=self.created_at,
        )
