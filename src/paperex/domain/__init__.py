"""Pure value types shared by every layer: no Django, no I/O."""

from paperex.domain.asset import Asset
from paperex.domain.instrument import Instrument, OffGridError
from paperex.domain.ledger import LedgerBucket, LedgerReason
from paperex.domain.market_spec import MarketMode, MarketSpec, PercentPriceBySide
from paperex.domain.orders import (
    ORDER_TRANSITIONS,
    ExpiryReason,
    Liquidity,
    OrderStatus,
    OrderType,
    RejectReason,
    SelfTradePrevention,
    TimeInForce,
)
from paperex.domain.records import BalanceRecord, OpenOrder, OrderTransitionError
from paperex.domain.side import Side

__all__ = [
    "ORDER_TRANSITIONS",
    "Asset",
    "BalanceRecord",
    "ExpiryReason",
    "Instrument",
    "LedgerBucket",
    "LedgerReason",
    "Liquidity",
    "MarketMode",
    "MarketSpec",
    "OffGridError",
    "OpenOrder",
    "OrderStatus",
    "OrderTransitionError",
    "OrderType",
    "PercentPriceBySide",
    "RejectReason",
    "SelfTradePrevention",
    "Side",
    "TimeInForce",
]
