"""Events the engine emits: past-tense names, integer ticks, lots and asset units."""

from __future__ import annotations

import msgspec

from paperex.domain.ledger import LedgerBucket, LedgerReason
from paperex.domain.orders import (
    ExpiryReason,
    Liquidity,
    OrderStatus,
    OrderType,
    RejectReason,
    SelfTradePrevention,
    TimeInForce,
)
from paperex.domain.side import Side


class EngineEvent(msgspec.Struct, frozen=True, kw_only=True, tag_field="event", gc=False):
    """Fields every event has: the timestamp of the command that caused it."""

    timestamp: int


class OrderAccepted(EngineEvent, frozen=True, kw_only=True, gc=False):
    """An order passed every check; ``locked`` units of ``locked_asset`` are now held for it.

    For a MARKET order by ``quote_amount`` ``quantity`` is what the book can fill for it.
    ``priority`` orders resting orders within a price level (lower is earlier);
    ``queue_ahead`` is the reference quantity ahead of it (paper markets).
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
    self_trade_prevention: SelfTradePrevention
    locked_asset: str
    locked: int
    priority: int
    queue_ahead: int
    status: OrderStatus = OrderStatus.NEW


class OrderRejected(EngineEvent, frozen=True, kw_only=True, gc=False):
    """A PlaceOrder was refused; nothing was held."""

    user_id: int
    symbol: str
    client_order_id: str | None
    reason: RejectReason
    message: str
    status: OrderStatus = OrderStatus.REJECTED


class OrderTriggered(EngineEvent, frozen=True, kw_only=True, gc=False):
    """A stop order's stop price was reached; it now acts as a MARKET or LIMIT order."""

    order_id: int
    user_id: int
    symbol: str
    last_price: int
    priority: int


class TradeExecuted(EngineEvent, frozen=True, kw_only=True, gc=False):
    """A public trade. ``maker_order_id`` is None when the maker is the reference market, and
    ``taker_order_id`` is None when a reference trade filled a resting user order."""

    trade_id: int
    symbol: str
    price: int
    quantity: int
    quote_quantity: int
    taker_side: Side
    taker_order_id: int | None
    taker_user_id: int | None
    maker_order_id: int | None
    maker_user_id: int | None
    is_reference: bool


class OrderFilled(EngineEvent, frozen=True, kw_only=True, gc=False):
    """One order's side of a trade, with its running totals after the fill."""

    order_id: int
    user_id: int
    symbol: str
    trade_id: int
    side: Side
    price: int
    quantity: int
    quote_quantity: int
    liquidity: Liquidity
    fee: int
    fee_asset: str
    filled: int
    executed_quote: int
    locked: int
    status: OrderStatus
    is_reference: bool


class OrderCanceled(EngineEvent, frozen=True, kw_only=True, gc=False):
    """An open order was canceled; what it still held went back to free."""

    order_id: int
    user_id: int
    symbol: str
    client_order_id: str
    filled: int
    status: OrderStatus = OrderStatus.CANCELED


class OrderExpired(EngineEvent, frozen=True, kw_only=True, gc=False):
    """The engine ended an order (time in force, self-trade prevention, lock exhausted)."""

    order_id: int
    user_id: int
    symbol: str
    client_order_id: str
    filled: int
    reason: ExpiryReason
    status: OrderStatus = OrderStatus.EXPIRED


class OrderAmended(EngineEvent, frozen=True, kw_only=True, gc=False):
    """A resting order's price or quantity changed; ``kept_priority`` says if it kept its place."""

    order_id: int
    user_id: int
    symbol: str
    price: int
    quantity: int
    filled: int
    locked: int
    priority: int
    queue_ahead: int
    kept_priority: bool


class CancelRejected(EngineEvent, frozen=True, kw_only=True, gc=False):
    """A CancelOrder was refused."""

    user_id: int
    symbol: str
    order_id: int | None
    client_order_id: str | None
    reason: RejectReason
    message: str


class AmendRejected(EngineEvent, frozen=True, kw_only=True, gc=False):
    """An AmendOrder was refused; the order is unchanged."""

    user_id: int
    symbol: str
    order_id: int | None
    client_order_id: str | None
    reason: RejectReason
    message: str


class TransferRejected(EngineEvent, frozen=True, kw_only=True, gc=False):
    """A Deposit, Withdraw or ResetAccount was refused."""

    user_id: int
    asset: str
    amount: int
    reason: RejectReason
    message: str


class LedgerEntryRecorded(EngineEvent, frozen=True, kw_only=True, gc=False):
    """``amount`` units of ``asset`` moved from one account to another (double entry).

    An account is (user id, bucket); the user id is None for EXTERNAL and REFERENCE.
    """

    entry_id: int
    asset: str
    amount: int
    from_user_id: int | None
    from_bucket: LedgerBucket
    to_user_id: int | None
    to_bucket: LedgerBucket
    reason: LedgerReason
    order_id: int | None = None
    trade_id: int | None = None


class BalanceChanged(EngineEvent, frozen=True, kw_only=True, gc=False):
    """A user's balance of one asset after the command (one per touched balance)."""

    user_id: int
    asset: str
    free: int
    locked: int


OrderChange = OrderTriggered | OrderFilled | OrderAmended | OrderCanceled | OrderExpired
"""An event that changes an accepted order (``OpenOrder.apply`` folds it into the record)."""

Event = (
    OrderAccepted
    | OrderRejected
    | OrderTriggered
    | TradeExecuted
    | OrderFilled
    | OrderCanceled
    | OrderExpired
    | OrderAmended
    | CancelRejected
    | AmendRejected
    | TransferRejected
    | LedgerEntryRecorded
    | BalanceChanged
)
"""Any event ``MatchingEngine.process`` returns."""
