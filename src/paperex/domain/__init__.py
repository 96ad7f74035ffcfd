"""Pure value types shared by every layer: no Django, no I/O."""

from paperex.domain.asset import Asset
from paperex.domain.instrument import Instrument, OffGridError
from paperex.domain.ledger import LedgerBucket, LedgerReason
from paperex.domain.market_spec import MarketMode, MarketSpec
from paperex.domain.orders import (
    ExpiryReason,
    Liquidity,
    OrderStatus,
    OrderType,
    RejectReason,
    SelfTradePrevention,
    TimeInForce,
)
from paperex.domain.records import BalanceRecord, OpenOrder
from paperex.domain.side import Side

__all__ = [
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
    "OrderType",
    "RejectReason",
    "SelfTradePrevention",
    "Side",
    "TimeInForce",
]
