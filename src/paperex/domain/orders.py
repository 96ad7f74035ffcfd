"""Order vocabulary shared by the engine, the host and the APIs (Binance spot meanings)."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType
from typing import Final


class OrderType(StrEnum):
    """What an order does when it arrives (Binance spot order types)."""

    LIMIT = "LIMIT"
    LIMIT_MAKER = "LIMIT_MAKER"
    MARKET = "MARKET"
    STOP_LOSS = "STOP_LOSS"
    STOP_LOSS_LIMIT = "STOP_LOSS_LIMIT"
    TAKE_PROFIT = "TAKE_PROFIT"
    TAKE_PROFIT_LIMIT = "TAKE_PROFIT_LIMIT"

    @property
    def is_stop(self) -> bool:
        """True for the four types that wait for a stop price before they act."""
        return self in _STOP_TYPES

    @property
    def has_limit_price(self) -> bool:
        """True when the order carries a limit price (and so may rest in the book)."""
        return self in _LIMIT_PRICED_TYPES

    @property
    def is_stop_loss(self) -> bool:
        """True for STOP_LOSS and STOP_LOSS_LIMIT."""
        return self is OrderType.STOP_LOSS or self is OrderType.STOP_LOSS_LIMIT


_STOP_TYPES = frozenset(
    {
        OrderType.STOP_LOSS,
        OrderType.STOP_LOSS_LIMIT,
        OrderType.TAKE_PROFIT,
        OrderType.TAKE_PROFIT_LIMIT,
    }
)
_LIMIT_PRICED_TYPES = frozenset(
    {
        OrderType.LIMIT,
        OrderType.LIMIT_MAKER,
        OrderType.STOP_LOSS_LIMIT,
        OrderType.TAKE_PROFIT_LIMIT,
    }
)


class TimeInForce(StrEnum):
    """How long a limit order stays: until canceled, immediate-or-cancel, fill-or-kill."""

    GTC = "GTC"
    IOC = "IOC"
    FOK = "FOK"


class OrderStatus(StrEnum):
    """Binance spot order statuses."""

    NEW = "NEW"
    PARTIALLY_FILLED = "PARTIALLY_FILLED"
    FILLED = "FILLED"
    CANCELED = "CANCELED"
    REJECTED = "REJECTED"
    EXPIRED = "EXPIRED"

    @property
    def is_open(self) -> bool:
        """True while the order can still trade (it has somewhere to go in ORDER_TRANSITIONS)."""
        return bool(ORDER_TRANSITIONS[self])


_ENDINGS = frozenset({OrderStatus.FILLED, OrderStatus.CANCELED, OrderStatus.EXPIRED})

ORDER_TRANSITIONS: Final[Mapping[OrderStatus, frozenset[OrderStatus]]] = MappingProxyType(
    {
        OrderStatus.NEW: frozenset({OrderStatus.NEW, OrderStatus.PARTIALLY_FILLED}) | _ENDINGS,
        OrderStatus.PARTIALLY_FILLED: frozenset({OrderStatus.PARTIALLY_FILLED}) | _ENDINGS,
        OrderStatus.FILLED: frozenset(),
        OrderStatus.CANCELED: frozenset(),
        OrderStatus.EXPIRED: frozenset(),
        OrderStatus.REJECTED: frozenset(),
    }
)
"""The statuses each status may move to with the next order event.

An order starts NEW (OrderAccepted) or is REJECTED before it exists (OrderRejected). It stays
NEW or PARTIALLY_FILLED while amended or triggered, moves to PARTIALLY_FILLED or FILLED with a
fill, and ends FILLED, CANCELED (by its user) or EXPIRED (by the engine); an ended order
never changes again.
"""


class SelfTradePrevention(StrEnum):
    """What happens when a taker would trade with its own user's maker order.

    The taker's mode decides (Binance): NONE lets the trade happen; EXPIRE_TAKER expires the
    rest of the taker; EXPIRE_MAKER expires the maker and matching continues; EXPIRE_BOTH
    expires both.
    """

    NONE = "NONE"
    EXPIRE_TAKER = "EXPIRE_TAKER"
    EXPIRE_MAKER = "EXPIRE_MAKER"
    EXPIRE_BOTH = "EXPIRE_BOTH"


class RejectReason(StrEnum):
    """Why a command was refused; names follow Binance's filters and errors."""

    UNKNOWN_SYMBOL = "UNKNOWN_SYMBOL"
    UNKNOWN_ASSET = "UNKNOWN_ASSET"
    UNKNOWN_ORDER = "UNKNOWN_ORDER"
    INVALID_PARAMETERS = "INVALID_PARAMETERS"
    PRICE_FILTER = "PRICE_FILTER"
    PERCENT_PRICE_BY_SIDE = "PERCENT_PRICE_BY_SIDE"
    LOT_SIZE = "LOT_SIZE"
    NOTIONAL = "NOTIONAL"
    INSUFFICIENT_BALANCE = "INSUFFICIENT_BALANCE"
    DUPLICATE_CLIENT_ORDER_ID = "DUPLICATE_CLIENT_ORDER_ID"
    WOULD_MATCH_IMMEDIATELY = "WOULD_MATCH_IMMEDIATELY"
    WOULD_TRIGGER_IMMEDIATELY = "WOULD_TRIGGER_IMMEDIATELY"
    ORDER_NOT_AMENDABLE = "ORDER_NOT_AMENDABLE"
    MARKET_NOT_READY = "MARKET_NOT_READY"
    """The market waits for its reference market since the engine started; try again soon."""


class ExpiryReason(StrEnum):
    """Why the engine expired (the rest of) an order."""

    TIME_IN_FORCE = "TIME_IN_FORCE"
    """IOC remainder, FOK that could not fill completely, MARKET that ran out of liquidity."""
    SELF_TRADE_PREVENTION = "SELF_TRADE_PREVENTION"
    INSUFFICIENT_LOCK = "INSUFFICIENT_LOCK"
    """A triggered stop-market buy whose locked quote could not pay for the rest."""
    PRICE_BAND = "PRICE_BAND"
    """A taker that reached the edge of the market's price band (PERCENT_PRICE_BY_SIDE)."""


class Liquidity(StrEnum):
    """Whether an order's side of a fill added (MAKER) or took (TAKER) liquidity."""

    MAKER = "MAKER"
    TAKER = "TAKER"
