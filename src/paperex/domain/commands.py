"""Commands the engine accepts: imperative names, integer ticks, lots and asset units.

Prices are ticks of the market's instrument, quantities lots of it, and amounts (deposits,
``quote_amount``) integer units of the asset (see ``Asset``). ``timestamp`` is milliseconds
since the epoch and is the only clock the engine sees.
"""

from __future__ import annotations

import msgspec

from paperex.domain.orders import OrderType, SelfTradePrevention, TimeInForce
from paperex.domain.side import Side

BookLevels = tuple[tuple[int, int], ...]
"""(price in ticks, quantity in lots) pairs; a quantity of 0 in a delta removes the level."""


class Command(msgspec.Struct, frozen=True, kw_only=True, tag_field="command", gc=False):
    """Fields every command has."""

    timestamp: int


class PlaceOrder(Command, frozen=True, kw_only=True, gc=False):
    """Place a new order. Which fields are needed depends on ``order_type`` (Binance rules)."""

    user_id: int
    symbol: str
    side: Side
    order_type: OrderType = OrderType.LIMIT
    time_in_force: TimeInForce = TimeInForce.GTC
    quantity: int | None = None
    price: int | None = None
    stop_price: int | None = None
    quote_amount: int | None = None
    """MARKET only: spend (buy) or receive (sell) this many quote units (quoteOrderQty)."""
    client_order_id: str | None = None
    self_trade_prevention: SelfTradePrevention | None = None
    """None takes the market's default."""


class CancelOrder(Command, frozen=True, kw_only=True, gc=False):
    """Cancel one open order, named by ``order_id`` or by ``client_order_id``."""

    user_id: int
    symbol: str
    order_id: int | None = None
    client_order_id: str | None = None


class CancelAllOrders(Command, frozen=True, kw_only=True, gc=False):
    """Cancel every open order of a user, in one market or (symbol None) in all."""

    user_id: int
    symbol: str | None = None


class AmendOrder(Command, frozen=True, kw_only=True, gc=False):
    """Change a resting order's price and/or total quantity in place.

    Lowering only the quantity keeps time priority; a new price or a larger quantity moves the
    order to the back of its (new) level, and a new price that crosses matches like a new order.
    """

    user_id: int
    symbol: str
    order_id: int | None = None
    client_order_id: str | None = None
    new_quantity: int | None = None
    new_price: int | None = None


class Deposit(Command, frozen=True, kw_only=True, gc=False):
    """Credit ``amount`` units of ``asset`` to a user's free balance."""

    user_id: int
    asset: str
    amount: int


class Withdraw(Command, frozen=True, kw_only=True, gc=False):
    """Debit ``amount`` units of ``asset`` from a user's free balance."""

    user_id: int
    asset: str
    amount: int


class ResetAccount(Command, frozen=True, kw_only=True, gc=False):
    """Cancel all of a user's orders, empty their balances and deposit ``balances`` afresh."""

    user_id: int
    balances: tuple[tuple[str, int], ...] = ()


class UpdateReferenceBook(Command, frozen=True, kw_only=True, gc=False):
    """Paper markets: replace (snapshot) or update (delta) the reference order book."""

    symbol: str
    bids: BookLevels = ()
    asks: BookLevels = ()
    is_snapshot: bool = False


class RecordReferenceTrade(Command, frozen=True, kw_only=True, gc=False):
    """Paper markets: a trade printed on the reference market."""

    symbol: str
    price: int
    quantity: int
    aggressor: Side


EngineCommand = (
    PlaceOrder
    | CancelOrder
    | CancelAllOrders
    | AmendOrder
    | Deposit
    | Withdraw
    | ResetAccount
    | UpdateReferenceBook
    | RecordReferenceTrade
)
"""Any command ``MatchingEngine.process`` accepts."""
