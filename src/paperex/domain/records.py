"""Persisted state the engine is rebuilt from: orders and balances, and how events change orders."""

from __future__ import annotations

from typing import Any

import msgspec

from paperex.domain.events import (
    OrderAccepted,
    OrderAmended,
    OrderCanceled,
    OrderChange,
    OrderExpired,
    OrderFilled,
)
from paperex.domain.orders import (
    ORDER_TRANSITIONS,
    ExpiryReason,
    OrderStatus,
    OrderType,
    SelfTradePrevention,
    TimeInForce,
)
from paperex.domain.side import Side


class OrderTransitionError(ValueError):
    """An order event that cannot follow the order's current state."""


class OpenOrder(msgspec.Struct, frozen=True, kw_only=True):
    """An order as the host persists it, kept current from events by ``accepted`` and
    ``apply``; it can still trade while ``status.is_open``.

    ``queue_ahead`` is as of the last OrderAccepted or OrderAmended: the reference book
    shortens queues without an event.
    """

    order_id: int
    user_id: int
    symbol: str
    client_order_id: str
    side: Side
    order_type: OrderType
    time_in_force: TimeInForce
    price: int | None
    stop_price: int | None
    quantity: int
    quote_amount: int | None
    filled: int
    executed_quote: int
    locked: int
    self_trade_prevention: SelfTradePrevention
    priority: int
    queue_ahead: int = 0
    triggered: bool = False
    status: OrderStatus = OrderStatus.NEW
    created_at: int = 0
    expiry_reason: ExpiryReason | None = None

    @classmethod
    def accepted(cls, event: OrderAccepted) -> OpenOrder:
        """The record of the order ``event`` accepted: nothing filled yet."""
        return cls(
            order_id=event.order_id,
            user_id=event.user_id,
            symbol=event.symbol,
            client_order_id=event.client_order_id,
            side=event.side,
            order_type=event.order_type,
            time_in_force=event.time_in_force,
            price=event.price,
            stop_price=event.stop_price,
            quantity=event.quantity,
            quote_amount=event.quote_amount,
            filled=0,
            executed_quote=0,
            locked=event.locked,
            self_trade_prevention=event.self_trade_prevention,
            priority=event.priority,
            queue_ahead=event.queue_ahead,
            status=event.status,
            created_at=event.timestamp,
        )

    @property
    def is_resting(self) -> bool:
        """True when the order waits in the book at its limit price (not as an untriggered
        stop); meaningful while it is open."""
        return self.price is not None and (not self.order_type.is_stop or self.triggered)

    def apply(self, event: OrderChange) -> OpenOrder:
        """This record after ``event``; an order that ends holds nothing any more.

        Raises OrderTransitionError when ``event`` belongs to another order, moves the status
        where ORDER_TRANSITIONS does not allow, reports a status that disagrees with its filled
        quantity, triggers an order that is not a waiting stop, or amends one not resting.
        """
        if event.order_id != self.order_id:
            raise OrderTransitionError(
                f"an event of order {event.order_id} applied to order {self.order_id}"
            )
        status = self.status
        changes: dict[str, Any]
        if isinstance(event, OrderFilled):
            status = event.status
            if (status is OrderStatus.FILLED) != (event.filled == self.quantity):
                raise OrderTransitionError(
                    f"order {self.order_id}: {status} with {event.filled} of {self.quantity} filled"
                )
            changes = {
                "filled": event.filled,
                "executed_quote": event.executed_quote,
                "locked": event.locked,
            }
        elif isinstance(event, OrderCanceled):
            status = event.status
            changes = {"filled": event.filled}
        elif isinstance(event, OrderExpired):
            status = event.status
            changes = {"filled": event.filled, "expiry_reason": event.reason}
        elif isinstance(event, OrderAmended):
            if not self.is_resting:
                raise OrderTransitionError(f"order {self.order_id} is amended but not resting")
            changes = {
                "price": event.price,
                "quantity": event.quantity,
                "filled": event.filled,
                "locked": event.locked,
                "priority": event.priority,
                "queue_ahead": event.queue_ahead,
            }
        else:
            if not self.order_type.is_stop or self.triggered:
                raise OrderTransitionError(
                    f"order {self.order_id} is triggered but is not a waiting stop"
                )
            changes = {"triggered": True, "priority": event.priority}
        if status not in ORDER_TRANSITIONS[self.status]:
            raise OrderTransitionError(
                f"order {self.order_id}: {type(event).__name__} cannot move {self.status} to"
                f" {status}"
            )
        if not status.is_open:
            changes["locked"] = 0
        return msgspec.structs.replace(self, status=status, **changes)


class BalanceRecord(msgspec.Struct, frozen=True, kw_only=True):
    """A user's balance of one asset, in the asset's smallest units."""

    user_id: int
    asset: str
    free: int
    locked: int
